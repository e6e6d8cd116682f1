//===- GraphParser.cpp - statements of the .graph language ----------------===//
#include "frontend/GraphParser.h"

using namespace cnnc::graph;
using mlir::failed;
using mlir::failure;
using mlir::LogicalResult;
using mlir::success;
using llvm::StringRef;

static std::string describe(const Token &tok) {
  switch (tok.kind) {
  case Token::Eof: return "end of file";
  case Token::Newline: return "end of line";
  default: return ("'" + tok.text + "'").str();
  }
}

LogicalResult Parser::unexpected(StringRef what) {
  if (!lex.current().is(Token::Error))
    source.error(lex.current().loc())
        << "expected " << what << ", got " << describe(lex.current());
  return failure();
}

LogicalResult Parser::expect(Token::Kind kind, StringRef what) {
  if (!lex.current().is(kind))
    return unexpected(what);
  lex.next();
  return success();
}

Parser::Result Parser::next(Statement &stmt) {
  stmt = Statement();
  while (lex.current().is(Token::Newline))
    lex.next();
  if (lex.current().is(Token::Eof))
    return Result::End;
  if (succeeded(parseStatement(stmt)) &&
      (lex.current().is(Token::Newline) || lex.current().is(Token::Eof)))
    return Result::Parsed;
  lex.skipLine();
  return Result::Failed;
}

// KIND NAME ['(' NAME {',' NAME} ')'] {KEY '=' VALUE}
// output NAME {',' NAME}
LogicalResult Parser::parseStatement(Statement &stmt) {
  if (failed(parseName(stmt.kind, "a layer kind or statement")))
    return failure();
  if (failed(parseName(stmt.name, ("a name after '" + stmt.kind.text + "'"))))
    return failure();
  if (stmt.kind.text == "output") {
    stmt.inputs.push_back(stmt.name);
    while (lex.current().is(Token::Comma)) {
      lex.next();
      stmt.inputs.emplace_back();
      if (failed(parseName(stmt.inputs.back(), "an output name")))
        return failure();
    }
    return success();
  }
  if (lex.current().is(Token::LParen)) {
    lex.next();
    stmt.hasInputList = true;
    if (failed(parseNameList(stmt.inputs)))
      return failure();
  }
  while (lex.current().is(Token::Identifier)) {
    stmt.keys.emplace_back();
    if (failed(parseKeyValue(stmt.keys.back())))
      return failure();
  }
  if (!lex.current().is(Token::Newline) && !lex.current().is(Token::Eof))
    return unexpected("KEY=VALUE or end of line");
  return success();
}

LogicalResult Parser::parseName(Name &name, StringRef what) {
  if (!lex.current().is(Token::Identifier))
    return unexpected(what);
  name.text = lex.current().text.str();
  name.loc = lex.current().loc();
  lex.next();
  return success();
}

// After '(': NAME {',' NAME} ')'
LogicalResult Parser::parseNameList(std::vector<Name> &names) {
  for (;;) {
    names.emplace_back();
    if (failed(parseName(names.back(), "an input name")))
      return failure();
    if (!lex.current().is(Token::Comma))
      break;
    lex.next();
  }
  return expect(Token::RParen, "',' or ')' in the input list");
}

LogicalResult Parser::parseKeyValue(KeyValue &kv) {
  kv.key = lex.current().text.str();
  kv.loc = lex.current().loc();
  lex.next();
  if (failed(expect(Token::Equal, ("'=' after '" + kv.key + "'"))))
    return failure();
  return parseValue(kv.value, /*inList=*/false);
}

LogicalResult Parser::parseValue(Literal &value, bool inList) {
  const Token &tok = lex.current();
  value.loc = tok.loc();
  switch (tok.kind) {
  case Token::Integer:
    value.kind = Literal::Int;
    value.intValue = tok.intValue;
    value.floatValue = tok.floatValue;
    break;
  case Token::Float:
    value.kind = Literal::Float;
    value.floatValue = tok.floatValue;
    break;
  case Token::Identifier:
    value.kind = Literal::Word;
    value.word = tok.text.str();
    break;
  case Token::LBracket:
    if (inList) {
      source.error(tok.loc()) << "lists cannot be nested";
      return failure();
    }
    lex.next();
    return parseList(value);
  default:
    return unexpected("a value");
  }
  lex.next();
  return success();
}

// After '[': [VALUE {',' VALUE}] ']'
LogicalResult Parser::parseList(Literal &value) {
  value.kind = Literal::List;
  if (lex.current().is(Token::RBracket)) {
    lex.next();
    return success();
  }
  for (;;) {
    if (lex.current().is(Token::Newline) || lex.current().is(Token::Eof)) {
      source.error(value.loc) << "unterminated list: expected ']'";
      return failure();
    }
    value.items.emplace_back();
    if (failed(parseValue(value.items.back(), /*inList=*/true)))
      return failure();
    if (lex.current().is(Token::RBracket)) {
      lex.next();
      return success();
    }
    if (lex.current().is(Token::Newline) || lex.current().is(Token::Eof)) {
      source.error(value.loc) << "unterminated list: expected ']'";
      return failure();
    }
    if (failed(expect(Token::Comma, "',' or ']' in the list")))
      return failure();
  }
}
