//===- cnnc-conformance.cpp - runs the ONNX backend test data -------------===//
//
// cnnc-conformance [DATA_DIR] [--filter=REGEX] [--expected=FILE] [-j N]
//                  [--markdown=OUT.md] [--timeout=S]
//
// Walks Debian's libonnx-testdata (DATA_DIR/{node,pytorch-converted,
// pytorch-operator,simple}/<case>/): compiles each case's model.onnx with the
// cnnc pipeline, runs every test_data_set_* and compares the outputs with
// ONNX's tolerances. Each case runs in a forked child, so a crash or a hang
// fails that case only. Prints a Markdown table and per-category totals;
// with --expected, exits 1 when a listed case does not pass.
//
//===----------------------------------------------------------------------===//
#include "codegen/Emit.h"
#include "frontend/OnnxImporter.h"
#include "passes/Passes.h"

#include "cnnc/runtime.h"
#include "onnx/onnx_pb.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <map>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace llvm;
namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

namespace {
cl::OptionCategory category("cnnc-conformance options");
cl::opt<std::string> dataDir(cl::Positional, cl::desc("[libonnx-testdata data dir]"),
                             cl::init("/usr/share/libonnx-testdata/data"),
                             cl::cat(category));
cl::opt<std::string> filter("filter",
                            cl::desc("Run only cases whose <category>/<case> "
                                     "matches this regex"),
                            cl::cat(category));
cl::opt<std::string> expectedPath(
    "expected",
    cl::desc("File listing the cases that must pass (one <category>/<case> "
             "a line, # comments); exit 1 if one does not"),
    cl::cat(category));
cl::opt<bool> onlyExpected("only-expected",
                           cl::desc("Run only the cases listed in --expected"),
                           cl::cat(category));
cl::opt<unsigned> sample(
    "sample",
    cl::desc("With --only-expected, also run every Nth case off the list "
             "(0: none)"),
    cl::init(0), cl::cat(category));
cl::opt<unsigned> jobs("j", cl::desc("Cases run in parallel (default 1)"),
                       cl::init(1), cl::Prefix, cl::cat(category));
cl::opt<std::string> markdownPath("markdown",
                                  cl::desc("Also write the table to this file"),
                                  cl::cat(category));
cl::opt<unsigned> timeoutSec("timeout", cl::desc("Seconds per case (default 300)"),
                             cl::init(300), cl::cat(category));

const char *const kCategories[] = {"node", "pytorch-converted",
                                   "pytorch-operator", "simple"};

// ONNX's backend test tolerances: |actual - expected| <= atol + rtol*|expected|.
constexpr double kRtol = 1e-3, kAtol = 1e-7;

/// Cases that need a looser absolute tolerance, and why. None does at
/// present: every passing case is within ONNX's defaults.
struct Tolerance {
  const char *caseName;
  double atol;
  const char *why;
};
const std::vector<Tolerance> kTolerances = {};

double atolFor(StringRef name) {
  for (const Tolerance &t : kTolerances)
    if (name == t.caseName)
      return t.atol;
  return kAtol;
}

enum class Status { Passed, Failed, Unsupported };
const char *statusName(Status s) {
  return s == Status::Passed ? "passed"
         : s == Status::Failed ? "failed"
                               : "unsupported";
}

struct Result {
  Status status = Status::Failed;
  double maxError = -1; // < 0: no numbers were compared
  std::string detail;
};

//===----------------------------------------------------------------------===//
// One case (in the child process)
//===----------------------------------------------------------------------===//

using TensorPtr = std::shared_ptr<const onnx::TensorProto>;

/// Inputs the importer needs as constants: (op, input index).
bool needsConstant(StringRef op, int index) {
  if (op == "Reshape" || op == "Squeeze" || op == "Unsqueeze" ||
      op == "Upsample")
    return index == 1;
  if (op == "Clip")
    return index == 1 || index == 2;
  if (op == "Pad" || op == "Resize")
    return index >= 1;
  if (op == "LSTM" || op == "GRU" || op == "RNN")
    return index == 4; // sequence_lens
  return false;
}

/// Graph inputs that are not initializers, in order (what input_<i>.pb feed).
std::vector<const onnx::ValueInfoProto *> dataInputs(const onnx::GraphProto &g) {
  StringSet<> inits;
  for (const onnx::TensorProto &t : g.initializer())
    inits.insert(t.name());
  std::vector<const onnx::ValueInfoProto *> out;
  for (const onnx::ValueInfoProto &in : g.input())
    if (!inits.contains(in.name()))
      out.push_back(&in);
  return out;
}

Expected<TensorPtr> readTensor(const Twine &file) {
  auto buf = MemoryBuffer::getFile(file, /*IsText=*/false);
  if (!buf)
    return createStringError(buf.getError(), "cannot read " + file.str());
  auto t = std::make_shared<onnx::TensorProto>();
  if (!t->ParseFromArray((*buf)->getBufferStart(), int((*buf)->getBufferSize())))
    return createStringError("cannot parse " + file.str());
  return t;
}

/// The f32 values of a tensor (raw little-endian bytes or float_data).
Expected<std::vector<float>> floatsOf(const onnx::TensorProto &t) {
  if (t.data_type() != onnx::TensorProto::FLOAT)
    return createStringError("tensor '" + t.name() + "' is not f32");
  if (!t.has_raw_data())
    return std::vector<float>(t.float_data().begin(), t.float_data().end());
  std::vector<float> v(t.raw_data().size() / sizeof(float));
  std::memcpy(v.data(), t.raw_data().data(), v.size() * sizeof(float));
  return v;
}

struct DataSet {
  std::vector<TensorPtr> inputs, outputs;
};

Expected<std::vector<DataSet>> readDataSets(StringRef caseDir) {
  std::vector<std::string> dirs;
  std::error_code ec;
  for (fs::directory_iterator it(caseDir, ec), end; it != end && !ec;
       it.increment(ec))
    if (path::filename(it->path()).starts_with("test_data_set_"))
      dirs.push_back(it->path());
  std::sort(dirs.begin(), dirs.end());
  std::vector<DataSet> sets;
  for (const std::string &dir : dirs) {
    DataSet set;
    for (auto [prefix, list] : {std::pair{"input_", &set.inputs},
                                std::pair{"output_", &set.outputs}})
      for (int i = 0;; ++i) {
        std::string file = (dir + "/" + prefix + Twine(i) + ".pb").str();
        if (!fs::exists(file))
          break;
        auto t = readTensor(file);
        if (!t)
          return t.takeError();
        list->push_back(*t);
      }
    sets.push_back(std::move(set));
  }
  if (sets.empty())
    return createStringError("no test_data_set_*");
  return sets;
}

/// Error text on one line, '|' escaped for the Markdown table.
std::string oneLine(StringRef text) {
  std::string out;
  for (char c : text) {
    if (c == '\n')
      out += "; ";
    else if (c == '|')
      out += "\\|";
    else
      out += c;
  }
  std::string squeezed;
  for (char c : out)
    if (!(c == ' ' && !squeezed.empty() && squeezed.back() == ' '))
      squeezed += c;
  return squeezed.size() > 200 ? squeezed.substr(0, 197) + "..." : squeezed;
}

/// The op types of the importer's "model uses N unsupported ONNX operators"
/// list (one "  Op 'node' (opset N)" a line), else `message` as is.
std::string summarize(StringRef message) {
  if (!message.contains("unsupported ONNX operator"))
    return message.str();
  SmallVector<StringRef> lines;
  message.split(lines, '\n');
  std::vector<std::string> ops;
  for (StringRef line : ArrayRef(lines).drop_front()) {
    std::string op = line.trim().split(' ').first.str();
    if (!op.empty() && !llvm::is_contained(ops, op))
      ops.push_back(op);
  }
  return "unsupported ops: " + llvm::join(ops, ", ");
}

/// Import errors that mean "not supported" rather than "wrong".
bool isUnsupported(StringRef message) {
  return message.contains("unsupported") || message.contains("only float") ||
         message.contains("only 2-D") || message.contains("static shapes") ||
         message.contains("supported only on constant inputs") ||
         message.contains("must be a constant");
}

class CaseRunner {
public:
  CaseRunner(std::string name, std::string dir)
      : name(std::move(name)), dir(std::move(dir)) {}
  Result run();

private:
  Result fail(const Twine &why) { return {Status::Failed, -1, oneLine(why.str())}; }
  Result unsupported(const Twine &why) {
    return {Status::Unsupported, -1, oneLine(why.str())};
  }
  Error chooseBindings(const onnx::ModelProto &model);
  Expected<std::string> compile(const DataSet &set, StringRef soPath,
                                bool &isUnsupportedError);
  Expected<double> runSet(cnnc_model *m, const DataSet &set);

  std::string name, dir;
  std::vector<const onnx::ValueInfoProto *> inputs; // fed by input_<i>.pb
  std::vector<bool> bound;                          // per input
  onnx::ModelProto model;
};

Error CaseRunner::chooseBindings(const onnx::ModelProto &model) {
  const onnx::GraphProto &g = model.graph();
  for (const onnx::ValueInfoProto &out : g.output())
    if (out.type().tensor_type().elem_type() != onnx::TensorProto::FLOAT)
      return createStringError("non-f32 output '" + out.name() + "'");
  inputs = dataInputs(g);
  bound.assign(inputs.size(), false);
  for (auto [i, in] : enumerate(inputs)) {
    for (const onnx::NodeProto &node : g.node())
      for (int k = 0; k < node.input_size(); ++k)
        if (node.input(k) == in->name() && needsConstant(node.op_type(), k))
          bound[i] = true;
    if (!bound[i] &&
        in->type().tensor_type().elem_type() != onnx::TensorProto::FLOAT)
      return createStringError("non-f32 input '" + in->name() + "'");
  }
  return Error::success();
}

/// Imports (binding the constant inputs to `set`'s values), optimizes and
/// emits the model .so. Errors carry the diagnostics.
Expected<std::string> CaseRunner::compile(const DataSet &set, StringRef soPath,
                                          bool &unsupportedError) {
  mlir::MLIRContext ctx(mlir::MLIRContext::Threading::DISABLED);
  std::string diags;
  mlir::ScopedDiagnosticHandler handler(&ctx, [&](mlir::Diagnostic &d) {
    if (d.getSeverity() == mlir::DiagnosticSeverity::Error)
      diags += (diags.empty() ? "" : "\n") + d.str();
    return mlir::success();
  });
  cnnc::OnnxImportOptions options;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (bound[i])
      options.bindings[inputs[i]->name()] = set.inputs.at(i);
  auto module = cnnc::importOnnx(dir + "/model.onnx", ctx, options);
  if (failed(module)) {
    unsupportedError = isUnsupported(diags);
    return createStringError("import: " + summarize(diags));
  }
  mlir::PassManager pm(&ctx);
  // Tiled for this machine's registers, as `cnnc` tiles for its target.
  auto regs = cnnc::codegen::vectorRegisters("host");
  if (!regs)
    return regs.takeError();
  mlir::cnn::TilingOptions tiling;
  tiling.vectorWidth = regs->lanes;
  tiling.accumulators = regs->accumulators;
  mlir::cnn::buildOptimizationPipeline(pm, 2, tiling);
  if (failed(pm.run(**module)))
    return createStringError("passes: " + diags);
  cnnc::codegen::EmitOptions emit;
  emit.outputPath = soPath.str();
  if (Error err = cnnc::codegen::emitModel(**module, emit))
    return createStringError("codegen: " + toString(std::move(err)));
  return soPath.str();
}

/// Runs one data set; returns the largest absolute error, or an error when
/// a value is outside the tolerance or the run fails.
Expected<double> CaseRunner::runSet(cnnc_model *m, const DataSet &set) {
  std::vector<std::vector<float>> inData;
  std::vector<cnnc_tensor> in;
  for (int32_t i = 0; i < cnnc_model_num_inputs(m); ++i) {
    const cnnc_tensor_desc *d = cnnc_model_input(m, i);
    auto it = std::find_if(inputs.begin(), inputs.end(), [&](auto *v) {
      return v->name() == d->name;
    });
    if (it == inputs.end() || size_t(it - inputs.begin()) >= set.inputs.size())
      return createStringError(Twine("no data for input '") + d->name + "'");
    auto v = floatsOf(*set.inputs[it - inputs.begin()]);
    if (!v)
      return v.takeError();
    inData.push_back(std::move(*v));
    cnnc_tensor t{CNNC_F32, d->rank, {}, inData.back().data()};
    std::copy(d->shape, d->shape + d->rank, t.shape);
    in.push_back(t);
  }
  int32_t numOut = cnnc_model_num_outputs(m);
  if (size_t(numOut) != set.outputs.size())
    return createStringError("model has " + Twine(numOut) + " outputs, data " +
                             Twine(set.outputs.size()));
  std::vector<std::vector<float>> outData(numOut);
  std::vector<cnnc_tensor> out;
  for (int32_t i = 0; i < numOut; ++i) {
    const cnnc_tensor_desc *d = cnnc_model_output(m, i);
    outData[i].assign(cnnc_tensor_desc_num_elements(d), NAN);
    cnnc_tensor t{CNNC_F32, d->rank, {}, outData[i].data()};
    std::copy(d->shape, d->shape + d->rank, t.shape);
    out.push_back(t);
  }
  for (int32_t i = 0; i < numOut; ++i) {
    const onnx::TensorProto &want = *set.outputs[i];
    if (!std::equal(want.dims().begin(), want.dims().end(), out[i].shape,
                    out[i].shape + out[i].rank) ||
        want.dims_size() != out[i].rank)
      return createStringError("output " + Twine(i) + " has the wrong shape");
  }
  if (cnnc_model_run(m, in.data(), int32_t(in.size()), out.data(), numOut))
    return createStringError(Twine("run: ") + cnnc_model_error(m));
  double maxErr = 0, atol = atolFor(name);
  std::string bad;
  for (int32_t i = 0; i < numOut; ++i) {
    auto want = floatsOf(*set.outputs[i]);
    if (!want)
      return want.takeError();
    for (size_t k = 0; k < want->size(); ++k) {
      double e = (*want)[k], a = outData[i][k];
      if (std::isnan(e) && std::isnan(a))
        continue;
      double err = e == a ? 0 : std::abs(a - e); // equal infinities
      maxErr = std::max(maxErr, std::isnan(err) ? INFINITY : err);
      if (!(err <= atol + kRtol * std::abs(e)) && bad.empty())
        bad = "output " + std::to_string(i) + "[" + std::to_string(k) +
              "] = " + std::to_string(a) + ", expected " + std::to_string(e);
    }
  }
  if (!bad.empty())
    return createStringError(bad + " (max error " + std::to_string(maxErr) +
                             ")");
  return maxErr;
}

Result CaseRunner::run() {
  auto buf = MemoryBuffer::getFile(dir + "/model.onnx", /*IsText=*/false);
  if (!buf || !model.ParseFromArray((*buf)->getBufferStart(),
                                    int((*buf)->getBufferSize())))
    return fail("cannot read model.onnx");
  if (Error err = chooseBindings(model))
    return unsupported(toString(std::move(err)));
  auto sets = readDataSets(dir);
  if (!sets)
    return fail(toString(sets.takeError()));
  SmallString<128> tmp;
  if (fs::createUniqueDirectory("cnnc-conformance", tmp))
    return fail("cannot create a temporary directory");
  scope_exit cleanup([&] { fs::remove_directories(tmp); });

  // One compilation per distinct value of the bound inputs.
  std::map<std::string, cnnc_model *> models;
  scope_exit closeAll([&] {
    for (auto &[key, m] : models)
      cnnc_model_close(m);
  });
  Result result{Status::Passed, 0, ""};
  for (const DataSet &set : *sets) {
    std::string key;
    for (size_t i = 0; i < inputs.size(); ++i)
      if (bound[i])
        key += set.inputs.at(i)->SerializeAsString();
    cnnc_model *&m = models[key];
    if (!m) {
      std::string so = (tmp + "/model" + Twine(models.size()) + ".so").str();
      bool unsupportedError = false;
      auto compiled = compile(set, so, unsupportedError);
      if (!compiled) {
        std::string why = toString(compiled.takeError());
        return unsupportedError ? unsupported(why) : fail(why);
      }
      char err[512];
      m = cnnc_model_open(so.c_str(), err, sizeof err);
      if (!m)
        return fail(Twine("open: ") + err);
      cnnc_model_set_num_threads(m, 1);
    }
    auto err = runSet(m, set);
    if (!err) {
      Result r = fail(toString(err.takeError()));
      return r;
    }
    result.maxError = std::max(result.maxError, *err);
  }
  return result;
}

//===----------------------------------------------------------------------===//
// The driver (parent process)
//===----------------------------------------------------------------------===//

struct Case {
  std::string name, dir;
  Result result;
  double seconds = 0;
};

/// Every case dir with a model.onnx, sorted within each category.
std::vector<Case> allCases() {
  std::vector<Case> cases;
  for (const char *cat : kCategories) {
    std::error_code ec;
    std::vector<Case> inCat;
    for (fs::directory_iterator it(dataDir + "/" + cat, ec), end;
         it != end && !ec; it.increment(ec))
      if (fs::exists(it->path() + "/model.onnx"))
        inCat.push_back(
            {(Twine(cat) + "/" + path::filename(it->path())).str(), it->path()});
    std::sort(inCat.begin(), inCat.end(),
              [](const Case &a, const Case &b) { return a.name < b.name; });
    cases.insert(cases.end(), inCat.begin(), inCat.end());
  }
  return cases;
}

/// The cases --filter, --only-expected and --sample select.
std::vector<Case> findCases(const StringSet<> &expected) {
  Regex re(filter);
  std::vector<Case> cases;
  unsigned offList = 0;
  for (Case &c : allCases()) {
    if (!filter.empty() && !re.match(c.name))
      continue;
    if (onlyExpected && !expected.contains(c.name) &&
        (sample == 0 || offList++ % sample != 0))
      continue;
    cases.push_back(std::move(c));
  }
  return cases;
}

/// "status\tmaxError\tdetail" in the child's result file.
void writeResult(StringRef file, const Result &r) {
  std::error_code ec;
  raw_fd_ostream os(file, ec);
  os << statusName(r.status) << "\t" << r.maxError << "\t" << r.detail;
}

Result readResult(StringRef file) {
  auto buf = MemoryBuffer::getFile(file);
  if (!buf)
    return {Status::Failed, -1, "the child wrote no result"};
  auto [status, rest] = (*buf)->getBuffer().split('\t');
  auto [err, detail] = rest.split('\t');
  Result r;
  r.status = status == "passed"      ? Status::Passed
             : status == "unsupported" ? Status::Unsupported
                                       : Status::Failed;
  r.maxError = std::strtod(err.str().c_str(), nullptr);
  r.detail = detail.str();
  return r;
}

/// Runs the cases in forked children, `jobs` at a time.
void runAll(std::vector<Case> &cases) {
  using Clock = std::chrono::steady_clock;
  struct Running {
    size_t index;
    Clock::time_point start;
    bool killed = false;
  };
  std::map<pid_t, Running> running;
  SmallString<128> tmp;
  if (fs::createUniqueDirectory("cnnc-conformance-results", tmp)) {
    errs() << "cannot create a temporary directory\n";
    std::exit(2);
  }
  auto resultFile = [&](size_t i) { return (tmp + "/" + Twine(i)).str(); };
  size_t next = 0, done = 0;
  while (done < cases.size()) {
    while (next < cases.size() && running.size() < std::max(1u, unsigned(jobs))) {
      outs().flush();
      errs().flush();
      pid_t pid = fork();
      if (pid == 0) {
        Case &c = cases[next];
        writeResult(resultFile(next), CaseRunner(c.name, c.dir).run());
        std::_Exit(0);
      }
      running[pid] = {next++, Clock::now()};
    }
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) {
      for (auto &[p, r] : running)
        if (!r.killed && Clock::now() - r.start >
                             std::chrono::seconds(timeoutSec.getValue())) {
          kill(p, SIGKILL);
          r.killed = true;
        }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    Running r = running[pid];
    running.erase(pid);
    Case &c = cases[r.index];
    c.seconds = std::chrono::duration<double>(Clock::now() - r.start).count();
    if (r.killed)
      c.result = {Status::Failed, -1,
                  "timed out after " + std::to_string(timeoutSec) + " s"};
    else if (WIFSIGNALED(status))
      c.result = {Status::Failed, -1,
                  std::string("crashed: ") + strsignal(WTERMSIG(status))};
    else
      c.result = readResult(resultFile(r.index));
    errs() << "[" << ++done << "/" << cases.size() << "] " << c.name << ": "
           << statusName(c.result.status) << format(" (%.1f s)\n", c.seconds);
  }
  fs::remove_directories(tmp);
}

void printTable(raw_ostream &os, const std::vector<Case> &cases) {
  os << "| case | status | max error | detail |\n|---|---|---|---|\n";
  for (const Case &c : cases) {
    os << "| " << c.name << " | " << statusName(c.result.status) << " | ";
    if (c.result.maxError >= 0)
      os << format("%.3g", c.result.maxError);
    os << " | " << c.result.detail << " |\n";
  }
}

void printTotals(raw_ostream &os, const std::vector<Case> &cases) {
  os << "| category | passed | failed | unsupported | total |\n"
        "|---|---|---|---|---|\n";
  std::map<std::string, std::array<unsigned, 3>> totals;
  std::array<unsigned, 3> all{};
  for (const Case &c : cases) {
    auto &t = totals[StringRef(c.name).split('/').first.str()];
    ++t[size_t(c.result.status)];
    ++all[size_t(c.result.status)];
  }
  auto row = [&](StringRef name, const std::array<unsigned, 3> &t) {
    os << "| " << name << " | " << t[0] << " | " << t[1] << " | " << t[2]
       << " | " << t[0] + t[1] + t[2] << " |\n";
  };
  for (const char *cat : kCategories)
    if (totals.count(cat))
      row(cat, totals[cat]);
  row("**all**", all);
}

StringSet<> readExpected() {
  StringSet<> names;
  if (expectedPath.empty())
    return names;
  auto buf = MemoryBuffer::getFile(expectedPath);
  if (!buf) {
    errs() << expectedPath << ": " << buf.getError().message() << "\n";
    std::exit(2);
  }
  SmallVector<StringRef> lines;
  (*buf)->getBuffer().split(lines, '\n');
  for (StringRef line : lines) {
    line = line.split('#').first.trim();
    if (!line.empty())
      names.insert(line);
  }
  return names;
}

/// Reports listed cases that did not pass and passing cases off the list.
int checkExpected(const StringSet<> &expected, const std::vector<Case> &cases) {
  if (expectedPath.empty())
    return 0;
  unsigned regressions = 0;
  for (const Case &c : cases) {
    bool listed = expected.contains(c.name);
    bool passed = c.result.status == Status::Passed;
    if (listed && !passed) {
      errs() << "REGRESSION: " << c.name << " is expected to pass but "
             << statusName(c.result.status) << ": " << c.result.detail << "\n";
      ++regressions;
    } else if (!listed && passed) {
      errs() << "note: " << c.name
             << " passes but is not in the expected-pass list\n";
    }
  }
  // A listed name that no longer exists is a regression too (a renamed case
  // or a typo would otherwise pass silently); --filter narrows the run.
  if (filter.empty()) {
    StringSet<> seen;
    for (const Case &c : cases)
      seen.insert(c.name);
    for (const auto &name : expected.keys())
      if (!seen.contains(name)) {
        errs() << "REGRESSION: " << name
               << " is expected to pass but no such case was found\n";
        ++regressions;
      }
  }
  errs() << regressions << " expected-pass case(s) did not pass\n";
  return regressions ? 1 : 0;
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "cnnc-conformance: runs the ONNX backend test "
                              "data through cnnc\n");
  if (std::string err; !filter.empty() && !Regex(filter).isValid(err)) {
    errs() << "bad --filter: " << err << "\n";
    return 2;
  }
  StringSet<> expected = readExpected();
  std::vector<Case> cases = findCases(expected);
  if (cases.empty()) {
    errs() << "no cases under " << dataDir << "\n";
    return 2;
  }
  runAll(cases);
  printTable(outs(), cases);
  outs() << "\n";
  printTotals(outs(), cases);
  if (!markdownPath.empty()) {
    std::error_code ec;
    raw_fd_ostream md(markdownPath, ec);
    if (ec) {
      errs() << markdownPath << ": " << ec.message() << "\n";
      return 2;
    }
    md << "# ONNX conformance\n\nGenerated by `cnnc-conformance` over "
          "Debian's libonnx-testdata.\n\n## Totals\n\n";
    printTotals(md, cases);
    md << "\n## Cases\n\n";
    printTable(md, cases);
  }
  return checkExpected(expected, cases);
}
