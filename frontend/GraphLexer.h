//===- GraphLexer.h - tokens of the .graph language -------------*- C++ -*-===//
//
// The language is line-oriented, so a newline is a token. Comments (`#` to
// the end of the line) and other whitespace are skipped. Errors go to the
// MLIR diagnostic engine at a FileLineColLoc of the offending character.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_FRONTEND_GRAPHLEXER_H
#define CNNC_FRONTEND_GRAPHLEXER_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/SourceMgr.h"

namespace cnnc::graph {

/// The main buffer of a SourceMgr as seen by the diagnostics: turns buffer
/// positions into MLIR locations that SourceMgrDiagnosticHandler maps back.
class Source {
public:
  Source(llvm::SourceMgr &mgr, mlir::MLIRContext *ctx);

  llvm::StringRef text() const { return buffer->getBuffer(); }
  llvm::StringRef fileName() const { return buffer->getBufferIdentifier(); }
  mlir::MLIRContext *context() const { return ctx; }
  mlir::FileLineColLoc loc(llvm::SMLoc pos) const;
  mlir::InFlightDiagnostic error(llvm::SMLoc pos) const;

private:
  llvm::SourceMgr &mgr;
  const llvm::MemoryBuffer *buffer;
  mlir::MLIRContext *ctx;
};

struct Token {
  enum Kind {
    Eof, Newline, Identifier, Integer, Float,
    LParen, RParen, LBracket, RBracket, Comma, Equal,
    Error, // already reported
  } kind = Eof;
  llvm::StringRef text;
  int64_t intValue = 0;
  double floatValue = 0;

  llvm::SMLoc loc() const { return llvm::SMLoc::getFromPointer(text.data()); }
  bool is(Kind k) const { return kind == k; }
};

class Lexer {
public:
  explicit Lexer(const Source &source);

  /// Position of the first NUL byte or invalid UTF-8 sequence, if any: such a
  /// file is not a .graph file and is rejected before lexing.
  std::optional<llvm::SMLoc> findBinaryContent() const;

  const Token &current() const { return tok; }
  const Token &next();
  /// Skips the rest of the current line (error recovery).
  void skipLine();

private:
  Token make(Token::Kind kind, const char *start);
  Token lexNumber(const char *start);
  Token lexIdentifier(const char *start);

  const Source &source;
  const char *cur, *end;
  Token tok;
};

} // namespace cnnc::graph

#endif // CNNC_FRONTEND_GRAPHLEXER_H
