//===- Emit.cpp - ahead-of-time emission of a compiled model --------------===//
//
// Halide compiles the pipeline (with its runtime, once) to an object; the glue
// (ModelGlue.c.in) is compiled by the system C compiler, or by clang with
// --target for other architectures, and everything is linked or archived in
// a temporary directory before being renamed into place.
//
//===----------------------------------------------------------------------===//
#include "codegen/Emit.h"
#include "codegen/AutoSchedule.h"
#include "codegen/Lowering.h"
#include "codegen/ModelInfo.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/MemoryBuffer.h"

namespace cnnc::codegen {
namespace {

const char *const kAbiHeader =
#include "codegen/ModelAbiHeader.inc"
    ;
const char *const kGlueTemplate =
#include "codegen/ModelGlue.inc"
    ;

/// `s` as a C string literal.
std::string cQuote(llvm::StringRef s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\%03o", c);
      out += buf;
      continue;
    }
    out += c;
  }
  return out + "\"";
}

/// Initialisers of a cnnc_tensor_desc array.
std::string tensorDescs(const std::vector<TensorInfo> &tensors) {
  std::string out;
  for (const TensorInfo &t : tensors) {
    out += "    {" + cQuote(t.name) + ", CNNC_F32, " +
           std::to_string(t.shape.size()) + ", {";
    for (int64_t d : t.shape)
      out += std::to_string(d) + ", ";
    out += "}},\n";
  }
  return out.empty() ? "    {0},\n" : out; // C has no empty arrays
}

std::string replaceAll(std::string s, const std::string &key,
                       const std::string &value) {
  for (size_t pos = 0; (pos = s.find(key, pos)) != std::string::npos;
       pos += value.size())
    s.replace(pos, key.size(), value);
  return s;
}

std::string pipelineName(const LoweredModel &m) {
  return "cnnc_" + m.name + "_pipeline";
}

/// The C initialisers of the profile table: one Func-name array per layer,
/// then cnnc_glue_layers.
std::string layerTable(const ModelInfo &info) {
  std::string arrays, layers;
  for (auto [i, l] : llvm::enumerate(info.layers)) {
    std::string funcs = "cnnc_glue_funcs_" + std::to_string(i);
    arrays += "static const char *const " + funcs + "[] = {";
    for (const std::string &f : l.funcs)
      arrays += cQuote(f) + ", ";
    arrays += l.funcs.empty() ? "0};\n" : "};\n";
    char flops[32];
    snprintf(flops, sizeof flops, "%.17g", l.flops);
    layers += "    {" + cQuote(l.name) + ", " + cQuote(l.op) + ", " + flops + ", " +
              std::to_string(l.funcs.size()) + ", " + funcs + "},\n";
  }
  if (layers.empty())
    layers = "    {0},\n";
  return arrays + "static const cnnc_layer_info cnnc_glue_layers[] = {\n" + layers + "};\n";
}

/// The pipeline's arguments: the inputs, then the threads it runs on.
std::vector<Halide::Argument> pipelineArgs(const LoweredModel &m) {
  std::vector<Halide::Argument> args(m.inputs.begin(), m.inputs.end());
  args.push_back(m.threads);
  return args;
}

std::string glueSource(const LoweredModel &m, const ModelInfo &info, bool profile) {
  // The C signature Halide gives the pipeline: pipelineArgs' buffers and
  // scalars (the only scalar: the threads), then the outputs' buffers.
  std::string params = "void *user_context", args = "&ctx";
  size_t buffer = 0;
  auto addBuffer = [&] {
    params += ", halide_buffer_t *b" + std::to_string(buffer);
    args += ", &bufs[" + std::to_string(buffer++) + "]";
  };
  for (const Halide::Argument &a : pipelineArgs(m)) {
    if (a.is_buffer()) {
      addBuffer();
    } else {
      params += ", int32_t " + a.name;
      args += ", cnnc_par_threads()";
    }
  }
  for (size_t i = 0; i < m.outputs.size(); ++i)
    addBuffer();
  std::string s = kGlueTemplate;
  for (auto [key, value] : std::initializer_list<std::pair<const char *, std::string>>{
           {"{{ABI_HEADER}}", kAbiHeader},
           {"{{PIPELINE_PARAMS}}", params},
           {"{{PIPELINE_ARGS}}", args},
           {"{{PIPELINE}}", pipelineName(m)},
           {"{{NUM_INPUTS}}", std::to_string(m.inputs.size())},
           {"{{NUM_OUTPUTS}}", std::to_string(m.outputs.size())},
           {"{{INPUT_DESCS}}", tensorDescs(m.inputInfo)},
           {"{{OUTPUT_DESCS}}", tensorDescs(m.outputInfo)},
           {"{{NAME_STR}}", cQuote(m.name)},
           {"{{PROFILE}}", profile ? "1" : "0"},
           {"{{LAYER_TABLE}}", profile ? layerTable(info) : ""},
           {"{{WEIGHT_BYTES}}", std::to_string(info.weightBytes)},
           {"{{ACTIVATION_BYTES0}}", std::to_string(info.activationBytes[0])},
           {"{{ACTIVATION_BYTES1}}", std::to_string(info.activationBytes[1])},
           {"{{ACTIVATION_NAMES}}", cQuote(info.activationNames[0]) + ", " +
                                        cQuote(info.activationNames[1])},
           {"{{NAME}}", m.name}})
    s = replaceAll(s, key, value);
  return s;
}

std::string headerSource(const LoweredModel &m, bool profile) {
  std::string guard = "CNNC_MODEL_" + m.name + "_H";
  return "/* Generated by cnnc: entry point of model \"" + m.name + "\". */\n"
         "#ifndef " + guard + "\n#define " + guard + "\n"
         "#include \"cnnc/model_abi.h\"\n"
         "#ifdef __cplusplus\nextern \"C\" {\n#endif\n"
         "const cnnc_model_desc *cnnc_" + m.name + "_describe(void);\n"
         "int cnnc_" + m.name + "_memory_stats(cnnc_memory_stats *out, size_t size);\n" +
         (profile ? "const cnnc_profile_info *cnnc_" + m.name + "_profile_info(void);\n"
                  : std::string()) +
         "#ifdef __cplusplus\n}\n#endif\n#endif\n";
}

llvm::Error writeFile(const std::string &path, llvm::StringRef text) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return llvm::createStringError(ec, "cannot write %s", path.c_str());
  os << text;
  return llvm::Error::success();
}

/// A temporary directory removed (with its files) on destruction.
struct TempDir {
  llvm::SmallString<128> path;
  ~TempDir() {
    if (!path.empty())
      llvm::sys::fs::remove_directories(path);
  }
  std::string file(llvm::StringRef name) const {
    llvm::SmallString<128> p(path);
    llvm::sys::path::append(p, name);
    return std::string(p);
  }
};

/// Runs `argv`; on failure the error carries its stderr.
llvm::Error runTool(const TempDir &tmp, std::vector<std::string> argv) {
  auto exe = llvm::sys::findProgramByName(argv[0]);
  if (!exe)
    return llvm::createStringError("codegen: tool '%s' not found",
                                   argv[0].c_str());
  std::vector<llvm::StringRef> args(argv.begin(), argv.end());
  std::string log = tmp.file("tool.log");
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(log),
                                                llvm::StringRef(log)};
  std::string msg;
  int rc = llvm::sys::ExecuteAndWait(*exe, args, std::nullopt, redirects, 0, 0, &msg);
  if (rc == 0)
    return llvm::Error::success();
  std::string out;
  if (auto buf = llvm::MemoryBuffer::getFile(log))
    out = (*buf)->getBuffer().str();
  std::string cmd;
  for (auto &a : argv)
    cmd += a + " ";
  return llvm::createStringError("codegen: '%s' failed (%d): %s%s", cmd.c_str(), rc,
                                 msg.c_str(), out.c_str());
}

/// How to build the glue for a target: the host's cc/ld/ar, or clang and
/// LLVM's linker/archiver for another architecture.
struct Toolchain {
  std::vector<std::string> cc, ld, ar;
  bool host;
};

llvm::Expected<Toolchain> toolchainFor(const Halide::Target &t) {
  Halide::Target h = Halide::get_host_target();
  if (t.arch == h.arch && t.bits == h.bits && t.os == h.os)
    return Toolchain{{"cc"}, {"ld", "-r"}, {"ar", "rcs"}, true};
  std::string triple;
  using T = Halide::Target;
  if (t.os != T::Linux && t.os != T::Android)
    return llvm::createStringError(
        "codegen: cannot build glue for target '%s' (only Linux/Android "
        "cross targets are supported)", t.to_string().c_str());
  const char *abi = t.os == T::Android ? "android" : "gnu";
  if (t.arch == T::ARM)
    triple = t.bits == 64 ? std::string("aarch64-linux-") + abi
                          : std::string("armv7a-linux-") + abi + "eabihf";
  else if (t.arch == T::X86)
    triple = std::string(t.bits == 64 ? "x86_64" : "i686") + "-linux-" + abi;
  else if (t.arch == T::RISCV && t.bits == 64)
    triple = std::string("riscv64-linux-") + abi;
  else
    return llvm::createStringError("codegen: no glue toolchain for target '%s'",
                                   t.to_string().c_str());
  std::string llvmAr = std::string(CNNC_LLVM_TOOLS_DIR) + "/llvm-ar";
  return Toolchain{{"clang", "--target=" + triple, "-ffreestanding"},
                   {"ld.lld", "-r"}, {llvmAr, "rcs"}, false};
}

bool profiled(const Halide::Target &t) { return t.has_feature(Halide::Target::Profile); }

llvm::Expected<Halide::Target> parseTarget(const std::string &s, bool profile) {
  try {
    Halide::Target t = s.empty() || s == "host" ? Halide::get_host_target()
                                                : Halide::Target(s);
    if (profile)
      t = t.with_feature(Halide::Target::Profile);
    return t.with_feature(Halide::Target::UserContext);
  } catch (const Halide::Error &e) {
    return halideError(e);
  }
}

/// Pipeline object and glue object of `m` in `tmp`.
llvm::Error buildObjects(LoweredModel &m, const ModelInfo &info,
                         const Halide::Target &target, const Toolchain &tc,
                         const TempDir &tmp, bool shared) {
  try {
    Halide::Pipeline(m.outputs).compile_to_object(tmp.file("pipeline.o"), pipelineArgs(m),
                                                  pipelineName(m), target);
  } catch (const Halide::Error &e) {
    return halideError(e);
  }
  if (auto err = writeFile(tmp.file("glue.c"), glueSource(m, info, profiled(target))))
    return err;
  std::vector<std::string> cc = tc.cc;
  cc.insert(cc.end(), {"-O2", "-fPIC", "-fvisibility=default", "-c",
                       tmp.file("glue.c"), "-o", tmp.file("glue.o")});
  if (shared)
    cc.push_back("-DCNNC_MODEL_SHARED");
  return runTool(tmp, cc);
}

/// Renames files[i].first (in tmp) to files[i].second; undoes on failure.
llvm::Error commit(const std::vector<std::pair<std::string, std::string>> &files) {
  for (size_t i = 0; i < files.size(); ++i) {
    std::error_code ec = llvm::sys::fs::rename(files[i].first, files[i].second);
    if (ec) { // cross-device: copy instead
      ec = llvm::sys::fs::copy_file(files[i].first, files[i].second);
      if (ec) {
        for (size_t j = 0; j <= i; ++j)
          llvm::sys::fs::remove(files[j].second);
        return llvm::createStringError(ec, "cannot write %s",
                                       files[i].second.c_str());
      }
    }
  }
  return llvm::Error::success();
}

/// `path` with its extension replaced by `ext` (e.g. ".h").
std::string sibling(const std::string &path, llvm::StringRef ext) {
  llvm::SmallString<128> p(path);
  llvm::sys::path::replace_extension(p, ext);
  return std::string(p);
}

llvm::Error emitIn(LoweredModel &m, const ModelInfo &info, const EmitOptions &opts,
                   const Halide::Target &target, const TempDir &tmp) {
  bool profile = profiled(target);
  const std::string &out = opts.outputPath;
  switch (opts.kind) {
  case EmitKind::Header:
    if (auto err = writeFile(tmp.file("model.h"), headerSource(m, profile)))
      return err;
    return commit({{tmp.file("model.h"), out}});
  case EmitKind::CppSource: {
    try {
      Halide::Pipeline(m.outputs).compile_to_c(tmp.file("pipeline.cpp"), pipelineArgs(m),
                                               pipelineName(m), target);
      Halide::compile_standalone_runtime(tmp.file("runtime.o"), target);
    } catch (const Halide::Error &e) {
      return halideError(e);
    }
    auto halide = llvm::MemoryBuffer::getFile(tmp.file("pipeline.cpp"));
    if (!halide)
      return llvm::createStringError(halide.getError(), "reading Halide's C++");
    std::string text = "/* Generated by cnnc: model \"" + m.name +
                       "\" as C++. Build: g++ -c this file, link with the "
                       ".runtime.o next to it and -lpthread -ldl. */\n" +
                       (*halide)->getBuffer().str() +
                       "\n#define CNNC_PIPELINE_IN_TU 1\n" + glueSource(m, info, profile);
    if (auto err = writeFile(tmp.file("model.cpp"), text))
      return err;
    return commit({{tmp.file("model.cpp"), out},
                   {tmp.file("runtime.o"), sibling(out, ".runtime.o")}});
  }
  default:
    break;
  }
  auto tc = toolchainFor(target);
  if (!tc)
    return tc.takeError();
  if (opts.kind == EmitKind::SharedLib && !tc->host)
    return llvm::createStringError(
        "codegen: a shared library can only be built for the host "
        "architecture, not '%s'; emit an object or static library instead",
        target.to_string().c_str());
  bool shared = opts.kind == EmitKind::SharedLib;
  if (auto err = buildObjects(m, info, target, *tc, tmp, shared))
    return err;
  std::string pipe = tmp.file("pipeline.o"), glue = tmp.file("glue.o");
  if (shared) {
    std::string vs = tmp.file("exports.map");
    std::string exports = "cnnc_model_describe; cnnc_model_memory_stats; ";
    for (const char *fn : {"_describe; ", "_memory_stats; "})
      exports += "cnnc_" + m.name + fn;
    if (profile)
      exports += "cnnc_model_profile_info; cnnc_" + m.name + "_profile_info; ";
    if (auto err = writeFile(vs, "{ global: " + exports + "local: *; };\n"))
      return err;
    if (auto err = runTool(tmp, {"c++", "-shared", "-fPIC", "-o", tmp.file("model.so"),
                                 pipe, glue, "-Wl,--version-script=" + vs,
                                 "-Wl,--exclude-libs,ALL", "-Wl,--as-needed",
                                 "-Wl,-z,defs", "-lpthread", "-ldl", "-lm"}))
      return err;
    return commit({{tmp.file("model.so"), out}});
  }
  std::vector<std::string> ld = tc->ld;
  ld.insert(ld.end(), {pipe, glue, "-o", tmp.file("model.o")});
  if (auto err = runTool(tmp, ld))
    return err;
  if (opts.kind == EmitKind::Object)
    return commit({{tmp.file("model.o"), out}});
  std::vector<std::string> ar = tc->ar;
  ar.insert(ar.end(), {tmp.file("model.a"), tmp.file("model.o")});
  if (auto err = runTool(tmp, ar))
    return err;
  if (auto err = writeFile(tmp.file("model.h"), headerSource(m, profile)))
    return err;
  return commit({{tmp.file("model.a"), out},
                 {tmp.file("model.h"), sibling(out, ".h")}});
}

} // namespace

llvm::Expected<VectorRegisters> vectorRegisters(const std::string &target) {
  auto t = parseTarget(target, false);
  if (!t)
    return t.takeError();
  VectorRegisters regs;
  regs.lanes = t->natural_vector_size<float>();
  // Half of 32 registers (AVX-512, NEON); 12 of x86's 16 below AVX-512,
  // leaving the weights and a broadcast theirs.
  bool sixteen = t->arch == Halide::Target::X86 && !t->has_feature(Halide::Target::AVX512);
  regs.accumulators = sixteen ? 12 : 16;
  return regs;
}

llvm::Error emitModel(mlir::ModuleOp module, const EmitOptions &opts) {
  if (opts.outputPath.empty())
    return llvm::createStringError("codegen: no output path");
  auto target = parseTarget(opts.target, opts.profile);
  if (!target)
    return target.takeError();
  bool adams = opts.schedule == ScheduleKind::Adams2019;
  if (adams)
    stripScheduleHints(module);
  auto model = buildPipeline(module, opts.kind == EmitKind::CppSource, !adams);
  if (!model)
    return model.takeError();
  if (adams)
    if (auto err = autoscheduleAdams2019(*model, *target, opts.autoschedulerParams))
      return err;
  TempDir tmp;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("cnnc-emit", tmp.path))
    return llvm::createStringError(ec, "cannot create a temporary directory");
  ModelInfo info;
  try {
    info = modelInfo(*model, module);
  } catch (const Halide::Error &e) {
    return halideError(e);
  }
  return emitIn(*model, info, opts, *target, tmp);
}

} // namespace cnnc::codegen
