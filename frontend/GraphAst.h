//===- GraphAst.h - syntax tree of one .graph statement ---------*- C++ -*-===//
//
// The parser produces one Statement per line; GraphToMlir gives it meaning.
// Every node keeps the source position of its first character so that
// semantic errors can point at the exact token.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_FRONTEND_GRAPHAST_H
#define CNNC_FRONTEND_GRAPHAST_H

#include "llvm/Support/SMLoc.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cnnc::graph {

/// A VALUE: 3, -1, 1e-5, same, [1, 2]. Lists hold scalars only.
struct Literal {
  enum Kind { Int, Float, Word, List } kind = Int;
  llvm::SMLoc loc;
  int64_t intValue = 0;
  double floatValue = 0; // also set for Int
  std::string word;
  std::vector<Literal> items;
};

struct KeyValue {
  std::string key;
  llvm::SMLoc loc;
  Literal value;
};

struct Name {
  std::string text;
  llvm::SMLoc loc;
};

/// `KIND NAME [(INPUT, ...)] KEY=VALUE ...`; `network`, `input` and `output`
/// statements use the same shape (output lists its names in `inputs`).
struct Statement {
  Name kind;
  Name name;
  bool hasInputList = false;
  std::vector<Name> inputs;
  std::vector<KeyValue> keys;
};

} // namespace cnnc::graph

#endif // CNNC_FRONTEND_GRAPHAST_H
