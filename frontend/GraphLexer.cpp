//===- GraphLexer.cpp - tokens of the .graph language ---------------------===//
#include "frontend/GraphLexer.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>

using namespace cnnc::graph;
using llvm::SMLoc;
using llvm::StringRef;

Source::Source(llvm::SourceMgr &mgr, mlir::MLIRContext *ctx)
    : mgr(mgr), buffer(mgr.getMemoryBuffer(mgr.getMainFileID())), ctx(ctx) {}

mlir::FileLineColLoc Source::loc(SMLoc pos) const {
  auto [line, col] = mgr.getLineAndColumn(pos, mgr.getMainFileID());
  return mlir::FileLineColLoc::get(ctx, fileName(), line, col);
}

mlir::InFlightDiagnostic Source::error(SMLoc pos) const {
  return mlir::emitError(loc(pos));
}

Lexer::Lexer(const Source &source)
    : source(source), cur(source.text().begin()), end(source.text().end()) {
  next();
}

std::optional<SMLoc> Lexer::findBinaryContent() const {
  StringRef text = source.text();
  size_t nul = text.find('\0');
  const auto *first = reinterpret_cast<const llvm::UTF8 *>(text.begin());
  const auto *last = reinterpret_cast<const llvm::UTF8 *>(text.begin() + nul);
  if (nul == StringRef::npos)
    last = reinterpret_cast<const llvm::UTF8 *>(text.end());
  // On failure isLegalUTF8String leaves `first` at the bad sequence.
  if (!llvm::isLegalUTF8String(&first, last))
    return SMLoc::getFromPointer(reinterpret_cast<const char *>(first));
  if (nul != StringRef::npos)
    return SMLoc::getFromPointer(text.begin() + nul);
  return std::nullopt;
}

Token Lexer::make(Token::Kind kind, const char *start) {
  Token t;
  t.kind = kind;
  t.text = StringRef(start, cur - start);
  return t;
}

static bool isIdentStart(char c) { return llvm::isAlpha(c) || c == '_'; }
static bool isIdentChar(char c) {
  return llvm::isAlnum(c) || c == '_' || c == '.';
}

const Token &Lexer::next() {
  while (cur != end && (*cur == ' ' || *cur == '\t' || *cur == '\r'))
    ++cur;
  if (cur != end && *cur == '#')
    while (cur != end && *cur != '\n')
      ++cur;
  const char *start = cur;
  if (cur == end)
    return tok = make(Token::Eof, start);
  char c = *cur++;
  switch (c) {
  case '\n': return tok = make(Token::Newline, start);
  case '(': return tok = make(Token::LParen, start);
  case ')': return tok = make(Token::RParen, start);
  case '[': return tok = make(Token::LBracket, start);
  case ']': return tok = make(Token::RBracket, start);
  case ',': return tok = make(Token::Comma, start);
  case '=': return tok = make(Token::Equal, start);
  default: break;
  }
  if (llvm::isDigit(c) || c == '-' || c == '+' || c == '.')
    return tok = lexNumber(start);
  if (isIdentStart(c))
    return tok = lexIdentifier(start);
  auto diag = source.error(SMLoc::getFromPointer(start));
  if (llvm::isPrint(c))
    diag << "unexpected character '" << c << "'";
  else
    diag << "unexpected character 0x"
         << llvm::toHex(StringRef(&c, 1), /*LowerCase=*/true);
  return tok = make(Token::Error, start);
}

Token Lexer::lexIdentifier(const char *start) {
  while (cur != end && isIdentChar(*cur))
    ++cur;
  return make(Token::Identifier, start);
}

// [+-]? digits [. digits] [e [+-] digits]; one greedy run of number-ish
// characters, validated as a whole so that `1.2.3` or `5x` is one bad token.
Token Lexer::lexNumber(const char *start) {
  while (cur != end && (llvm::isAlnum(*cur) || *cur == '.' ||
                        ((*cur == '-' || *cur == '+') &&
                         (cur[-1] == 'e' || cur[-1] == 'E'))))
    ++cur;
  Token t = make(Token::Integer, start);
  StringRef text = t.text;
  if (!text.getAsInteger(10, t.intValue)) {
    t.floatValue = double(t.intValue);
    return t;
  }
  bool looksInteger = text.drop_front(text[0] == '-' || text[0] == '+')
                          .find_first_not_of("0123456789") == StringRef::npos;
  if (looksInteger && text.size() > 1) {
    source.error(t.loc()) << "integer '" << text << "' is out of range";
    t.kind = Token::Error;
    return t;
  }
  t.kind = Token::Float;
  // getAsDouble wants the whole string to be a number.
  if (text.getAsDouble(t.floatValue) || !std::isfinite(t.floatValue)) {
    source.error(t.loc()) << "invalid number '" << text << "'";
    t.kind = Token::Error;
  }
  return t;
}

// Raw scan, so that bad characters later on the line are not reported again.
void Lexer::skipLine() {
  if (tok.is(Token::Newline) || tok.is(Token::Eof))
    return;
  cur = tok.text.end();
  while (cur != end && *cur != '\n')
    ++cur;
  next();
}
