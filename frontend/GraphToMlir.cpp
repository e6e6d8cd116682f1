//===- GraphToMlir.cpp - .graph statements to the cnn dialect -------------===//
//
// The statement-level half of the importer: names, inputs, outputs, the
// module and function, and typed access to a layer's keys. The layer kinds
// themselves are in GraphLayers.cpp.
//
//===----------------------------------------------------------------------===//
#include "frontend/GraphImporter.h"

#include "ir/CnnDialect.h"
#include "ir/ShapeInference.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

using namespace cnnc;
using namespace cnnc::graph;
using namespace mlir;
using llvm::ArrayRef;
using llvm::SMLoc;
using llvm::SmallVector;
using llvm::StringRef;

std::optional<StringRef> cnnc::graph::closest(StringRef word,
                                              ArrayRef<StringRef> candidates) {
  std::optional<StringRef> best;
  unsigned bestDistance = std::max<size_t>(word.size() / 3, 1) + 1;
  for (StringRef c : candidates) {
    unsigned d = word.edit_distance(c, /*AllowReplacements=*/true, bestDistance);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

template <typename Diag>
static void suggest(Diag &diag, StringRef word, ArrayRef<StringRef> candidates) {
  if (auto c = closest(word, candidates))
    diag << "; did you mean '" << *c << "'?";
}

//===----------------------------------------------------------------------===//
// Layer: typed access to KEY=VALUE
//===----------------------------------------------------------------------===//

static std::string shortFloat(double x) {
  char buf[32];
  snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

static std::string describe(const Literal &v) {
  switch (v.kind) {
  case Literal::Int: return std::to_string(v.intValue);
  case Literal::Float: return shortFloat(v.floatValue);
  case Literal::Word: return "'" + v.word + "'";
  case Literal::List: return "a list";
  }
  llvm_unreachable("value kind");
}

InFlightDiagnostic Layer::error(SMLoc at) {
  failed = true;
  Location where = NameLoc::get(
      StringAttr::get(loc.getContext(), name()),
      importer.getSource().loc(at.isValid() ? at : stmt.kind.loc));
  return cnn::layerError(where, kind());
}

const Literal *Layer::find(StringRef key) const {
  for (const KeyValue &kv : stmt.keys)
    if (kv.key == key)
      return &kv.value;
  return nullptr;
}

const Literal *Layer::require(StringRef key) {
  const Literal *v = find(key);
  if (!v)
    error() << "missing required key '" << key << "'";
  return v;
}

bool Layer::checkInts(const Literal &v, ArrayRef<size_t> lengths, int64_t min,
                      StringRef expected) {
  bool ok = v.kind == Literal::Int ||
            (v.kind == Literal::List && llvm::is_contained(lengths, v.items.size()));
  for (const Literal &item : v.items)
    ok = ok && item.kind == Literal::Int;
  if (!ok) {
    error(v.loc) << "expected " << expected << ", got " << describe(v);
    return false;
  }
  auto tooSmall = [&](const Literal &x) { return x.intValue < min; };
  if (v.kind == Literal::Int ? tooSmall(v) : llvm::any_of(v.items, tooSmall)) {
    error(v.loc) << "values must be >= " << min;
    return false;
  }
  return true;
}

int64_t Layer::getInt(StringRef key, int64_t def, int64_t min) {
  const Literal *v = find(key);
  if (!v)
    return def;
  return checkInts(*v, {}, min, "an integer for '" + key.str() + "'")
             ? v->intValue
             : def;
}

std::optional<int64_t> Layer::requireInt(StringRef key, int64_t min) {
  const Literal *v = require(key);
  if (!v || !checkInts(*v, {}, min, "an integer for '" + key.str() + "'"))
    return std::nullopt;
  return v->intValue;
}

double Layer::getFloat(StringRef key, double def) {
  const Literal *v = find(key);
  if (!v)
    return def;
  if (v->kind == Literal::Int || v->kind == Literal::Float)
    return v->floatValue;
  error(v->loc) << "expected a number for '" << key << "', got " << describe(*v);
  return def;
}

bool Layer::getBool(StringRef key, bool def) {
  const Literal *v = find(key);
  if (!v)
    return def;
  if (v->kind == Literal::Word && (v->word == "true" || v->word == "false"))
    return v->word == "true";
  error(v->loc) << "expected true or false for '" << key << "', got "
                << describe(*v);
  return def;
}

StringRef Layer::getWord(StringRef key, StringRef def,
                         ArrayRef<StringRef> choices) {
  const Literal *v = find(key);
  if (!v)
    return def;
  if (v->kind == Literal::Word && llvm::is_contained(choices, v->word))
    return *llvm::find(choices, v->word);
  auto diag = error(v->loc);
  diag << "expected one of " << llvm::join(choices, ", ") << " for '" << key
       << "', got " << describe(*v);
  if (v->kind == Literal::Word)
    suggest(diag, v->word, choices);
  return def;
}

SmallVector<int64_t> Layer::getInts(StringRef key, ArrayRef<int64_t> def,
                                    size_t count, int64_t min) {
  const Literal *v = find(key);
  std::string expected = llvm::formatv("an integer or a list of {0} integers "
                                       "for '{1}'", count, key);
  if (!v || !checkInts(*v, {count}, min, expected))
    return SmallVector<int64_t>(def);
  if (v->kind == Literal::Int)
    return SmallVector<int64_t>(count, v->intValue);
  return llvm::map_to_vector(v->items, [](const Literal &x) { return x.intValue; });
}

std::optional<SmallVector<int64_t>> Layer::requireList(StringRef key) {
  const Literal *v = require(key);
  if (!v)
    return std::nullopt;
  if (v->kind != Literal::List ||
      !llvm::all_of(v->items, [](const Literal &x) { return x.kind == Literal::Int; })) {
    error(v->loc) << "expected a list of integers for '" << key << "', got "
                  << describe(*v);
    return std::nullopt;
  }
  return llvm::map_to_vector(v->items, [](const Literal &x) { return x.intValue; });
}

//===----------------------------------------------------------------------===//
// Importer: statements
//===----------------------------------------------------------------------===//

Importer::Importer(llvm::SourceMgr &mgr, MLIRContext *ctx,
                   const GraphOptions &options)
    : source(mgr, ctx), parser(source), ctx(ctx), builder(ctx),
      params(ctx, options.weights, options.seed) {}

Location Importer::layerLoc(const Name &kind, const Name &name) {
  return NameLoc::get(StringAttr::get(ctx, name.text), source.loc(kind.loc));
}

OwningOpRef<ModuleOp> Importer::run() {
  // Count errors but let them through to the printing handler.
  ScopedDiagnosticHandler counter(ctx, [&](Diagnostic &diag) {
    errors += diag.getSeverity() == DiagnosticSeverity::Error;
    return failure();
  });
  SMLoc start = SMLoc::getFromPointer(source.text().begin());
  if (auto bad = parser.findBinaryContent()) {
    source.error(*bad) << "not a text file";
    return nullptr;
  }
  module = ModuleOp::create(source.loc(start));
  builder.setInsertionPointToEnd(module->getBody());
  func = func::FuncOp::create(builder, source.loc(start), "main",
                                      builder.getFunctionType({}, {}));
  builder.setInsertionPointToEnd(func.addEntryBlock());

  Statement stmt;
  for (;;) {
    Parser::Result result = parser.next(stmt);
    if (result == Parser::Result::End)
      break;
    if (result == Parser::Result::Parsed) {
      statement(stmt);
      continue;
    }
    // A syntax error: poison the name so that its users stay quiet.
    if (!stmt.name.text.empty() && !definedAt.count(stmt.name.text))
      setResult(stmt.name, nullptr);
    previous = mlir::Value();
  }
  finish();
  if (errors != 0 || failed(mlir::verify(*module)))
    return nullptr;
  if (params.hasFile())
    if (auto unused = params.unusedTensors(); !unused.empty())
      emitWarning(source.loc(start))
          << "the weights file has tensors that no layer uses: "
          << llvm::join(unused, ", ");
  return std::move(module);
}

void Importer::statement(const Statement &stmt) {
  StringRef kind = stmt.kind.text;
  if (kind == "network")
    return network(stmt);
  if (kind == "input")
    return input(stmt);
  if (kind == "output")
    return output(stmt);
  layer(stmt);
}

void Importer::network(const Statement &stmt) {
  if (stmt.hasInputList || !stmt.keys.empty()) {
    source.error(stmt.hasInputList ? stmt.inputs[0].loc : stmt.keys[0].loc)
        << "'network' takes only a name";
    return;
  }
  if (networkName) {
    auto diag = source.error(stmt.kind.loc);
    diag << "the network is already named";
    diag.attachNote(source.loc(networkName->loc)) << "named here";
    return;
  }
  networkName = stmt.name;
}

void Importer::input(const Statement &stmt) {
  if (!defineName(stmt.name))
    return;
  Layer layer(*this, stmt, layerLoc(stmt.kind, stmt.name));
  if (stmt.hasInputList)
    layer.error(stmt.inputs[0].loc) << "an input has no inputs";
  for (const KeyValue &kv : stmt.keys)
    if (kv.key != "shape")
      layer.error(kv.loc) << "unknown key '" << kv.key
                          << "'; an input takes only 'shape'";
  auto shape = layer.requireList("shape");
  // Bounded so that no later shape computation can overflow.
  int64_t count = 1;
  for (int64_t d : shape ? *shape : SmallVector<int64_t>()) {
    if (d < 1 || d > (int64_t(1) << 31) || (count *= d) > (int64_t(1) << 40)) {
      layer.error(layer.find("shape")->loc)
          << "shape " << cnn::formatShape(*shape)
          << " must have dimensions >= 1 and at most 2^40 elements";
      break;
    }
  }
  if (!shape || shape->empty() || layer.failed) {
    if (shape && shape->empty() && !layer.failed)
      layer.error(layer.find("shape")->loc) << "shape must not be empty";
    return setResult(stmt.name, nullptr);
  }
  auto type = RankedTensorType::get(*shape, builder.getF32Type());
  inputs.push_back({stmt.name.text, type});
  setResult(stmt.name, func.front().addArgument(type, layer.loc));
}

void Importer::output(const Statement &stmt) {
  if (outputs) {
    auto diag = source.error(stmt.kind.loc);
    diag << "the outputs are already declared";
    diag.attachNote(source.loc(outputs->kind.loc)) << "declared here";
    return;
  }
  outputs = stmt;
}

void Importer::layer(const Statement &stmt) {
  std::optional<std::vector<StringRef>> keys = layerKeys(stmt.kind.text);
  if (!keys) {
    auto diag = source.error(stmt.kind.loc);
    diag << "unknown layer kind '" << stmt.kind.text << "'";
    suggest(diag, stmt.kind.text, allKinds());
    if (!definedAt.count(stmt.name.text))
      setResult(stmt.name, nullptr);
    previous = mlir::Value();
    return;
  }
  if (!defineName(stmt.name)) {
    previous = mlir::Value();
    return;
  }
  Layer layer(*this, stmt, layerLoc(stmt.kind, stmt.name));
  // Each bad key is reported once, however often it repeats.
  llvm::StringSet<> seen, repeated;
  for (const KeyValue &kv : stmt.keys) {
    bool first = seen.insert(kv.key).second;
    bool known = llvm::is_contained(*keys, kv.key);
    if (first && !known) {
      auto diag = layer.error(kv.loc);
      diag << "unknown key '" << kv.key << "'";
      suggest(diag, kv.key, *keys);
    } else if (!first && known && repeated.insert(kv.key).second) {
      layer.error(kv.loc) << "key '" << kv.key << "' is given twice";
    }
  }
  mlir::Value result;
  if (resolveInputs(layer))
    result = lowerLayer(layer);
  setResult(stmt.name, result);
}

bool Importer::defineName(const Name &name) {
  auto [it, inserted] = definedAt.try_emplace(name.text, name.loc);
  if (inserted)
    return true;
  auto diag = source.error(name.loc);
  diag << "duplicate name '" << name.text << "'";
  diag.attachNote(source.loc(it->second)) << "first defined here";
  return false;
}

void Importer::setResult(const Name &name, mlir::Value value) {
  if (!values.count(name.text))
    order.push_back(name.text);
  values[name.text] = value;
  previous = value;
}

mlir::Value Importer::lookup(const Name &name, bool &ok) {
  auto it = values.find(name.text);
  if (it != values.end()) {
    ok = ok && it->second; // poisoned: already reported
    return it->second;
  }
  ok = false;
  auto diag = source.error(name.loc);
  diag << "unknown input '" << name.text << "'";
  SmallVector<StringRef> known(order.begin(), order.end());
  suggest(diag, name.text, known);
  return nullptr;
}

bool Importer::resolveInputs(Layer &layer) {
  const Statement &stmt = layer.stmt;
  if (!stmt.hasInputList) {
    if (!previous) {
      layer.error() << "has no input: it is the first statement, so name its "
                       "inputs in parentheses";
      return false;
    }
    layer.inputs.push_back(*previous);
    return bool(*previous);
  }
  bool ok = true;
  for (const Name &name : stmt.inputs)
    layer.inputs.push_back(lookup(name, ok));
  return ok;
}

void Importer::finish() {
  SMLoc start = SMLoc::getFromPointer(source.text().begin());
  if (inputs.empty()) {
    source.error(start) << "no input declared";
    return;
  }
  SmallVector<mlir::Value> results;
  SmallVector<std::string> resultNames;
  bool ok = true;
  if (outputs) {
    for (const Name &name : outputs->inputs) {
      results.push_back(lookup(name, ok));
      resultNames.push_back(name.text);
    }
  } else if (previous && *previous) {
    results.push_back(*previous);
    resultNames.push_back(order.back());
  }
  if (!ok || results.empty() || errors != 0)
    return;
  func::ReturnOp::create(builder, func.getLoc(), results);
  SmallVector<Type> argTypes =
      llvm::map_to_vector(inputs, [](auto &in) { return in.second; });
  func.setType(builder.getFunctionType(argTypes, TypeRange(results)));
  for (auto [i, in] : llvm::enumerate(inputs))
    func.setArgAttr(i, "cnn.name", builder.getStringAttr(in.first));
  for (auto [i, name] : llvm::enumerate(resultNames))
    func.setResultAttr(i, "cnn.name", builder.getStringAttr(name));
  StringRef moduleName = networkName
                             ? StringRef(networkName->text)
                             : llvm::sys::path::stem(source.fileName());
  module->setSymNameAttr(builder.getStringAttr(moduleName));
}

OwningOpRef<ModuleOp> cnnc::importGraph(llvm::SourceMgr &sourceMgr,
                                        MLIRContext *context,
                                        const GraphOptions &options) {
  return Importer(sourceMgr, context, options).run();
}
