// RUN: cnnc-opt %s -canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @reshape_identity(
// CHECK-SAME: %[[X:.*]]: tensor<2x3xf32>
// CHECK-NEXT: return %[[X]]
func.func @reshape_identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cnn.reshape %x {shape = array<i64: 0, -1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// The 0 referred to the intermediate's dimension, so the shape is rewritten.
// CHECK-LABEL: func.func @reshape_reshape(
// CHECK-SAME: %[[X:.*]]: tensor<2x3x4xf32>
// CHECK-NEXT: %[[R:.*]] = cnn.reshape %[[X]] {shape = array<i64: 6, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_reshape(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  %0 = cnn.reshape %x {shape = array<i64: 24, 1>} : (tensor<2x3x4xf32>) -> tensor<24x1xf32>
  %1 = cnn.reshape %0 {shape = array<i64: 6, -1>} : (tensor<24x1xf32>) -> tensor<6x4xf32>
  return %1 : tensor<6x4xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_flatten(
// CHECK-SAME: %[[X:.*]]: tensor<2x3x4xf32>
// CHECK-NEXT: %[[R:.*]] = cnn.reshape %[[X]] {shape = array<i64: 2, 12>}
// CHECK-NEXT: return %[[R]]
func.func @reshape_flatten(%x: tensor<2x3x4xf32>) -> tensor<2x12xf32> {
  %0 = cnn.flatten %x {axis = 0} : (tensor<2x3x4xf32>) -> tensor<1x24xf32>
  %1 = cnn.reshape %0 {shape = array<i64: 2, 12>} : (tensor<1x24xf32>) -> tensor<2x12xf32>
  return %1 : tensor<2x12xf32>
}

// -----

// A round trip through reshapes is no reshape at all.
// CHECK-LABEL: func.func @reshape_round_trip(
// CHECK-SAME: %[[X:.*]]: tensor<2x3xf32>
// CHECK-NEXT: return %[[X]]
func.func @reshape_round_trip(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cnn.reshape %x {shape = array<i64: 6>} : (tensor<2x3xf32>) -> tensor<6xf32>
  %1 = cnn.reshape %0 {shape = array<i64: 2, 3>} : (tensor<6xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @flatten_identity(
// CHECK-SAME: %[[X:.*]]: tensor<2x3xf32>
// CHECK-NEXT: return %[[X]]
func.func @flatten_identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cnn.flatten %x {axis = 1} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_identity(
// CHECK-SAME: %[[X:.*]]: tensor<2x3xf32>
// CHECK-NEXT: return %[[X]]
func.func @transpose_identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cnn.transpose %x {perm = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Keeping the type is not enough: this transpose moves data.
// CHECK-LABEL: func.func @transpose_square(
// CHECK-NEXT: cnn.transpose %{{.*}} {perm = array<i64: 1, 0>}
func.func @transpose_square(%x: tensor<3x3xf32>) -> tensor<3x3xf32> {
  %0 = cnn.transpose %x {perm = array<i64: 1, 0>} : (tensor<3x3xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// NCHW -> NHWC -> NWCH composes to one permutation.
// CHECK-LABEL: func.func @transpose_transpose(
// CHECK-SAME: %[[X:.*]]: tensor<1x2x3x4xf32>
// CHECK-NEXT: %[[T:.*]] = cnn.transpose %[[X]] {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x2x3x4xf32>) -> tensor<1x4x2x3xf32>
// CHECK-NEXT: return %[[T]]
func.func @transpose_transpose(%x: tensor<1x2x3x4xf32>) -> tensor<1x4x2x3xf32> {
  %0 = cnn.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x2x3x4xf32>) -> tensor<1x3x4x2xf32>
  %1 = cnn.transpose %0 {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x3x4x2xf32>) -> tensor<1x4x2x3xf32>
  return %1 : tensor<1x4x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_inverse(
// CHECK-SAME: %[[X:.*]]: tensor<1x2x3x4xf32>
// CHECK-NEXT: return %[[X]]
func.func @transpose_inverse(%x: tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32> {
  %0 = cnn.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x2x3x4xf32>) -> tensor<1x3x4x2xf32>
  %1 = cnn.transpose %0 {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x3x4x2xf32>) -> tensor<1x2x3x4xf32>
  return %1 : tensor<1x2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @relu_relu(
// CHECK-SAME: %[[X:.*]]: tensor<4xf32>
// CHECK-NEXT: %[[R:.*]] = cnn.relu %[[X]]
// CHECK-NEXT: return %[[R]]
func.func @relu_relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = cnn.relu %x : tensor<4xf32>
  %1 = cnn.relu %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// relu6 after relu: the relu is redundant.
// CHECK-LABEL: func.func @clip_relu(
// CHECK-SAME: %[[X:.*]]: tensor<4xf32>
// CHECK-NEXT: %[[C:.*]] = cnn.clip %[[X]] {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32}
// CHECK-NEXT: return %[[C]]
func.func @clip_relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = cnn.relu %x : tensor<4xf32>
  %1 = cnn.clip %0 {min = 0.0 : f32, max = 6.0 : f32} : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// With a negative min the relu matters: clip(relu(-1)) = 0, clip(-1) = -1.
// CHECK-LABEL: func.func @clip_relu_negative_min(
// CHECK-NEXT: cnn.relu
// CHECK-NEXT: cnn.clip
func.func @clip_relu_negative_min(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = cnn.relu %x : tensor<4xf32>
  %1 = cnn.clip %0 {min = -1.0 : f32, max = 6.0 : f32} : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @relu_clip(
// CHECK-SAME: %[[X:.*]]: tensor<4xf32>
// CHECK-NEXT: %[[C:.*]] = cnn.clip %[[X]]
// CHECK-NEXT: return %[[C]]
func.func @relu_clip(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = cnn.clip %x {min = 0.0 : f32, max = 6.0 : f32} : tensor<4xf32>
  %1 = cnn.relu %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @relu_clip_negative_min(
// CHECK-NEXT: cnn.clip
// CHECK-NEXT: cnn.relu
func.func @relu_clip_negative_min(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = cnn.clip %x {min = -1.0 : f32, max = 6.0 : f32} : tensor<4xf32>
  %1 = cnn.relu %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @concat_single(
// CHECK-SAME: %[[X:.*]]: tensor<1x2xf32>
// CHECK-NEXT: return %[[X]]
func.func @concat_single(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %0 = cnn.concat %x {axis = 1} : (tensor<1x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// CHECK-LABEL: func.func @pad_zero(
// CHECK-SAME: %[[X:.*]]: tensor<2x2xf32>
// CHECK-NEXT: return %[[X]]
func.func @pad_zero(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %0 = cnn.pad %x {pads = array<i64: 0, 0, 0, 0>, mode = #cnn<pad_mode reflect>, value = 0.0 : f32} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}
