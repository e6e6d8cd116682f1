//===- GraphParser.h - statements of the .graph language --------*- C++ -*-===//
//
// A recursive-descent parser that hands out one Statement per line. A syntax
// error is reported, the rest of its line skipped, and parsing goes on, so
// that one run reports every error of the file.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_FRONTEND_GRAPHPARSER_H
#define CNNC_FRONTEND_GRAPHPARSER_H

#include "frontend/GraphAst.h"
#include "frontend/GraphLexer.h"

namespace cnnc::graph {

class Parser {
public:
  explicit Parser(const Source &source) : source(source), lex(source) {}

  enum class Result { Parsed, Failed, End };
  /// Parses the next non-empty line into `stmt`. On Failed, `stmt` holds what
  /// was read before the error (the name, if any, so that later references to
  /// it are not reported again).
  Result next(Statement &stmt);

  std::optional<llvm::SMLoc> findBinaryContent() const {
    return lex.findBinaryContent();
  }

private:
  mlir::LogicalResult parseStatement(Statement &stmt);
  mlir::LogicalResult parseName(Name &name, llvm::StringRef what);
  mlir::LogicalResult parseNameList(std::vector<Name> &names);
  mlir::LogicalResult parseKeyValue(KeyValue &kv);
  mlir::LogicalResult parseValue(Literal &value, bool inList);
  mlir::LogicalResult parseList(Literal &value);
  mlir::LogicalResult expect(Token::Kind kind, llvm::StringRef what);
  /// Reports "expected <what>, got <current token>" unless the lexer already
  /// reported the current token.
  mlir::LogicalResult unexpected(llvm::StringRef what);

  const Source &source;
  Lexer lex;
};

} // namespace cnnc::graph

#endif // CNNC_FRONTEND_GRAPHPARSER_H
