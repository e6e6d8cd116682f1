//===- CnnDialect.h - the `cnn` dialect -------------------------*- C++ -*-===//
#ifndef CNNC_IR_CNNDIALECT_H
#define CNNC_IR_CNNDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "ir/CnnDialect.h.inc"
#include "ir/CnnEnums.h.inc"
#define GET_ATTRDEF_CLASSES
#include "ir/CnnAttrs.h.inc"

namespace mlir::cnn {
// Shared shape rules used by the ODS-generated inferReturnTypes of op families.
LogicalResult inferBroadcast(llvm::StringRef opName,
                             std::optional<Location> loc, ValueRange operands,
                             llvm::SmallVectorImpl<Type> &results);
LogicalResult inferGlobalPool(llvm::StringRef opName,
                              std::optional<Location> loc, ValueRange operands,
                              llvm::SmallVectorImpl<Type> &results);

/// The layer name carried by a NameLoc in `loc`, or "" if there is none.
llvm::StringRef layerName(Location loc);

/// Starts a diagnostic phrased in the user's terms: `<op> '<layer>': `.
InFlightDiagnostic
layerError(Location loc, llvm::StringRef opName,
           DiagnosticSeverity severity = DiagnosticSeverity::Error);
} // namespace mlir::cnn

#define GET_OP_CLASSES
#include "ir/CnnOps.h.inc"

#endif // CNNC_IR_CNNDIALECT_H
