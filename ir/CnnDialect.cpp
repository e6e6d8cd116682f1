//===- CnnDialect.cpp - dialect registration and layer names ---------------===//
#include "ir/CnnDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::cnn;

#include "ir/CnnDialect.cpp.inc"
#include "ir/CnnEnums.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "ir/CnnAttrs.cpp.inc"

void CnnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "ir/CnnOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "ir/CnnAttrs.cpp.inc"
      >();
}

StringRef mlir::cnn::layerName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().strref();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (StringRef n = layerName(inner); !n.empty())
        return n;
  return "";
}

InFlightDiagnostic mlir::cnn::layerError(Location loc, StringRef opName,
                                         DiagnosticSeverity severity) {
  opName.consume_front("cnn.");
  InFlightDiagnostic diag = loc->getContext()->getDiagEngine().emit(loc, severity);
  diag << opName;
  if (StringRef name = layerName(loc); !name.empty())
    diag << " '" << name << "'";
  diag << ": ";
  return diag;
}
