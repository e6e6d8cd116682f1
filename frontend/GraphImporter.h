//===- GraphImporter.h - lowering of .graph statements ----------*- C++ -*-===//
//
// Internal to the frontend. The Importer walks the statements one line at a
// time (so errors come out in file order), keeps the value of every named
// layer, and builds each layer's ops through the ops' own shape rules.
// A layer that fails is "poisoned": its name maps to a null Value, and layers
// that read it fail silently instead of repeating the error.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_FRONTEND_GRAPHIMPORTER_H
#define CNNC_FRONTEND_GRAPHIMPORTER_H

#include "frontend/GraphParams.h"
#include "frontend/GraphParser.h"
#include "frontend/GraphToMlir.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

namespace cnnc::graph {

class Importer;

/// One layer statement being lowered: its resolved inputs and typed access
/// to its keys. Key errors are reported at the value and remembered in
/// `failed`, so that every bad key of a line is reported.
class Layer {
public:
  Layer(Importer &importer, const Statement &stmt, mlir::Location loc)
      : importer(importer), stmt(stmt), loc(loc) {}

  llvm::StringRef kind() const { return stmt.kind.text; }
  llvm::StringRef name() const { return stmt.name.text; }
  /// `<kind> '<name>': ` error at a position of the line (default: KIND).
  mlir::InFlightDiagnostic error(llvm::SMLoc at = {});

  const Literal *find(llvm::StringRef key) const;
  /// Reports a missing key that has no default.
  const Literal *require(llvm::StringRef key);

  int64_t getInt(llvm::StringRef key, int64_t def, int64_t min);
  std::optional<int64_t> requireInt(llvm::StringRef key, int64_t min);
  double getFloat(llvm::StringRef key, double def);
  bool getBool(llvm::StringRef key, bool def);
  /// A word from `choices`; reports others (with a suggestion).
  llvm::StringRef getWord(llvm::StringRef key, llvm::StringRef def,
                          llvm::ArrayRef<llvm::StringRef> choices);
  /// N or [N, ...]: a scalar stands for all `count` entries.
  llvm::SmallVector<int64_t> getInts(llvm::StringRef key,
                                     llvm::ArrayRef<int64_t> def,
                                     size_t count, int64_t min);
  /// A list of integers of any length (required).
  std::optional<llvm::SmallVector<int64_t>> requireList(llvm::StringRef key);
  /// Whether `value` is an integer or list of integers >= min; reports else.
  bool checkInts(const Literal &value, llvm::ArrayRef<size_t> lengths,
                 int64_t min, llvm::StringRef expected);

  Importer &importer;
  const Statement &stmt;
  mlir::Location loc;
  llvm::SmallVector<mlir::Value> inputs;
  bool failed = false;
};

class Importer {
public:
  Importer(llvm::SourceMgr &mgr, mlir::MLIRContext *ctx,
           const GraphOptions &options);
  mlir::OwningOpRef<mlir::ModuleOp> run();

  // Layer lowering helpers (GraphLayers.cpp).
  mlir::Value lowerLayer(Layer &layer);
  /// Builds `opName` with a placeholder result type, then runs its shape rule
  /// and verifier; on failure the op is erased and null returned.
  mlir::Value build(Layer &layer, llvm::StringRef opName,
                    mlir::ValueRange operands,
                    llvm::ArrayRef<mlir::NamedAttribute> attrs);
  /// A cnn.constant for parameter `<layer>.<suffix>`; null on error.
  mlir::Value param(Layer &layer, llvm::StringRef suffix,
                    llvm::ArrayRef<int64_t> shape, Init init,
                    llvm::ArrayRef<int64_t> resultShape = {});
  mlir::OpBuilder &getBuilder() { return builder; }
  mlir::MLIRContext *getContext() { return ctx; }
  std::optional<llvm::ArrayRef<int64_t>> fileShape(llvm::StringRef name) const {
    return params.fileShape(name);
  }
  const Source &getSource() const { return source; }

private:
  void statement(const Statement &stmt);
  void network(const Statement &stmt);
  void input(const Statement &stmt);
  void output(const Statement &stmt);
  void layer(const Statement &stmt);
  /// Checks KIND NAME: reports a duplicate name; records its position.
  bool defineName(const Name &name);
  void setResult(const Name &name, mlir::Value value);
  /// The value of input `name` (null: poisoned or unknown, then reported).
  mlir::Value lookup(const Name &name, bool &ok);
  bool resolveInputs(Layer &layer);
  void finish();
  mlir::Location layerLoc(const Name &kind, const Name &name);

  Source source;
  Parser parser;
  mlir::MLIRContext *ctx;
  mlir::OpBuilder builder;
  ParameterSource params;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::func::FuncOp func;
  unsigned errors = 0; // reported so far

  std::optional<Name> networkName;
  llvm::SmallVector<std::pair<std::string, mlir::Type>> inputs;
  std::optional<Statement> outputs;
  /// Every named statement's result; null when it failed.
  llvm::StringMap<mlir::Value> values;
  llvm::StringMap<llvm::SMLoc> definedAt;
  llvm::SmallVector<std::string> order; // names in definition order
  /// The previous statement's result (null if it failed); unset at the start.
  std::optional<mlir::Value> previous;
};

/// The candidate closest to `word` by edit distance, if close enough.
std::optional<llvm::StringRef> closest(llvm::StringRef word,
                                       llvm::ArrayRef<llvm::StringRef> candidates);

/// All statement and layer kinds, for suggestions.
std::vector<llvm::StringRef> allKinds();
/// The keys a layer kind accepts; nullopt if `kind` is not a layer kind.
std::optional<std::vector<llvm::StringRef>> layerKeys(llvm::StringRef kind);

} // namespace cnnc::graph

#endif // CNNC_FRONTEND_GRAPHIMPORTER_H
