// RUN: cnnc-opt %s -split-input-file -verify-diagnostics --cnn-shape-check | FileCheck %s

// A complete, statically shaped network passes unchanged.
// CHECK-LABEL: func.func @good(
// CHECK: cnn.conv2d
// CHECK: cnn.relu
func.func @good(%x: tensor<1x3x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %w = cnn.constant dense<0.5> : tensor<4x3x3x3xf32>
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  %1 = cnn.relu %0 : tensor<1x4x8x8xf32>
  return %1 : tensor<1x4x8x8xf32>
}

// -----

// A dead layer is only a warning; the module still passes.
// CHECK-LABEL: func.func @unused(
func.func @unused(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // expected-warning @+1 {{sigmoid: result is never used}}
  %0 = cnn.sigmoid %x : tensor<1x4xf32>
  %1 = cnn.relu %x : tensor<1x4xf32>
  return %1 : tensor<1x4xf32>
}

// -----

// expected-error @+1 {{input of type 'tensor<?x4xf32>' is not a statically shaped float tensor}}
func.func @dynamic_input(%x: tensor<?x4xf32>) -> tensor<1x4xf32> {
  %0 = cnn.constant dense<0.0> : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

// expected-error @+1 {{output of type 'tensor<4xi32>' is not a statically shaped float tensor}}
func.func @int_output(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @-1 {{input of type 'tensor<4xi32>' is not a statically shaped float tensor}}
  return %x : tensor<4xi32>
}
