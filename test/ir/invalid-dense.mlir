// RUN: cnnc-opt %s -split-input-file -verify-diagnostics
// Diagnostics of dense, matmul and constant (see invalid-conv-pool.mlir for
// the conventions).

func.func @dense_features(%a: tensor<2x8xf32>, %b: tensor<4x6xf32>) {
  // expected-error @+2 {{dense: input has 8 features but the weights expect 6}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.dense %a, %b {trans_a = false, trans_b = true, alpha = 1.0 : f32, beta = 1.0 : f32} : (tensor<2x8xf32>, tensor<4x6xf32>) -> tensor<2x4xf32>
  return
}

// -----

// trans_a reads [K, M]: 2 features here.
func.func @dense_trans_a(%a: tensor<2x8xf32>, %b: tensor<8x4xf32>) {
  // expected-error @+2 {{dense: input has 2 features but the weights expect 8}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.dense %a, %b {trans_a = true, trans_b = false, alpha = 1.0 : f32, beta = 1.0 : f32} : (tensor<2x8xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  return
}

// -----

func.func @dense_bias(%a: tensor<2x8xf32>, %b: tensor<4x8xf32>, %c: tensor<3xf32>) {
  // expected-error @+2 {{dense: bias of shape [3] does not broadcast to the output [2, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.dense %a, %b, %c {trans_a = false, trans_b = true, alpha = 1.0 : f32, beta = 1.0 : f32} : (tensor<2x8xf32>, tensor<4x8xf32>, tensor<3xf32>) -> tensor<2x4xf32>
  return
}

// -----

// The bias broadcasts one way only: it cannot widen the output.
func.func @dense_bias_rank(%a: tensor<2x8xf32>, %b: tensor<4x8xf32>, %c: tensor<3x2x4xf32>) {
  // expected-error @+2 {{dense: bias of shape [3, 2, 4] does not broadcast to the output [2, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.dense %a, %b, %c {trans_a = false, trans_b = true, alpha = 1.0 : f32, beta = 1.0 : f32} : (tensor<2x8xf32>, tensor<4x8xf32>, tensor<3x2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @dense_alpha(%a: tensor<2x8xf32>, %b: tensor<8x4xf32>) {
  // expected-error @+1 {{dense: alpha and beta must be finite}}
  %0 = cnn.dense %a, %b {trans_a = false, trans_b = false, alpha = 0x7F800000 : f32, beta = 1.0 : f32} : (tensor<2x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @dense_dynamic(%a: tensor<?x8xf32>, %b: tensor<8x4xf32>) {
  // expected-error @+2 {{dense: a must be a tensor of static shape}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.dense %a, %b {trans_a = false, trans_b = false, alpha = 1.0 : f32, beta = 1.0 : f32} : (tensor<?x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @matmul_inner(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{matmul: lhs [2, 3] and rhs [4, 5] disagree on the inner dimension (3 vs 4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

// A 1-D rhs is a column vector: its length is the inner dimension.
func.func @matmul_vector(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{matmul: lhs [2, 3] and rhs [4] disagree on the inner dimension (3 vs 4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.matmul %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<2x4x3xf32>, %b: tensor<3x3x5xf32>) {
  // expected-error @+2 {{matmul: batch dimensions [2] and [3] do not broadcast}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.matmul %a, %b : (tensor<2x4x3xf32>, tensor<3x3x5xf32>) -> tensor<2x4x5xf32>
  return
}

// -----

func.func @matmul_scalar(%a: tensor<f32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{matmul: operands must have rank >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.matmul %a, %b : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @constant_type() {
  // expected-error @+2 {{'cnn.constant' op inferred type(s) 'tensor<2xf32>' are incompatible with return type(s) of operation 'tensor<3xf32>'}}
  // expected-error @+1 {{'cnn.constant' op failed to infer returned types}}
  %0 = "cnn.constant"() <{value = dense<1.0> : tensor<2xf32>}> : () -> tensor<3xf32>
  return
}
