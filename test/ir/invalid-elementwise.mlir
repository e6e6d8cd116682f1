// RUN: cnnc-opt %s -split-input-file -verify-diagnostics
// Diagnostics of the activations, batch_norm, the broadcasting binary ops,
// global pooling and softmax (see invalid-conv-pool.mlir for the conventions).

func.func @clip(%x: tensor<1x4xf32>) {
  // expected-error @+1 {{clip: min 6.000000 is greater than max 0.000000}}
  %0 = cnn.clip %x {min = 6.0 : f32, max = 0.0 : f32} : tensor<1x4xf32>
  return
}

// -----

func.func @prelu_slope(%x: tensor<1x4x2x2xf32>, %s: tensor<3x1x1xf32>) {
  // expected-error @+1 {{prelu: slope of shape [3, 1, 1] does not broadcast to the input [1, 4, 2, 2]}}
  %0 = cnn.prelu %x, %s : (tensor<1x4x2x2xf32>, tensor<3x1x1xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

// The slope may not widen the input either.
func.func @prelu_slope_wider(%x: tensor<1x4x1x1xf32>, %s: tensor<4x2x2xf32>) {
  // expected-error @+1 {{prelu: slope of shape [4, 2, 2] does not broadcast to the input [1, 4, 1, 1]}}
  %0 = cnn.prelu %x, %s : (tensor<1x4x1x1xf32>, tensor<4x2x2xf32>) -> tensor<1x4x1x1xf32>
  return
}

// -----

func.func @bn_rank(%x: tensor<4xf32>, %p: tensor<4xf32>) {
  // expected-error @+1 {{batch_norm: input must have a channel axis (rank >= 2), got [4]}}
  %0 = cnn.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f32} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @bn_epsilon(%x: tensor<1x4x2x2xf32>, %p: tensor<4xf32>) {
  // expected-error @+1 {{batch_norm: epsilon must be >= 0}}
  %0 = cnn.batch_norm %x, %p, %p, %p, %p {epsilon = -1.0 : f32} : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

func.func @bn_scale(%x: tensor<1x4x2x2xf32>, %p: tensor<4xf32>, %q: tensor<3xf32>) {
  // expected-error @+1 {{batch_norm: scale has shape [3] but the input has 4 channels}}
  %0 = cnn.batch_norm %x, %q, %p, %p, %p {epsilon = 1.0e-5 : f32} : (tensor<1x4x2x2xf32>, tensor<3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

func.func @bn_bias(%x: tensor<1x4x2x2xf32>, %p: tensor<4xf32>, %q: tensor<4x1xf32>) {
  // expected-error @+1 {{batch_norm: bias has shape [4, 1] but the input has 4 channels}}
  %0 = cnn.batch_norm %x, %p, %q, %p, %p {epsilon = 1.0e-5 : f32} : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4x1xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

func.func @bn_mean(%x: tensor<1x4x2x2xf32>, %p: tensor<4xf32>, %q: tensor<5xf32>) {
  // expected-error @+1 {{batch_norm: mean has shape [5] but the input has 4 channels}}
  %0 = cnn.batch_norm %x, %p, %p, %q, %p {epsilon = 1.0e-5 : f32} : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<5xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

func.func @bn_var(%x: tensor<1x4x2x2xf32>, %p: tensor<4xf32>, %q: tensor<1xf32>) {
  // expected-error @+1 {{batch_norm: var has shape [1] but the input has 4 channels}}
  %0 = cnn.batch_norm %x, %p, %p, %p, %q {epsilon = 1.0e-5 : f32} : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

func.func @add_broadcast(%a: tensor<1x4x2x2xf32>, %b: tensor<3x1x1xf32>) {
  // expected-error @+2 {{add: shapes [1, 4, 2, 2] and [3, 1, 1] do not broadcast}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.add %a, %b : (tensor<1x4x2x2xf32>, tensor<3x1x1xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

func.func @mul_element_types(%a: tensor<2x2xf32>, %b: tensor<2x2xf16>) {
  // expected-error @+2 {{mul: operands have different element types}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.mul %a, %b : (tensor<2x2xf32>, tensor<2x2xf16>) -> tensor<2x2xf32>
  return
}

// -----

func.func @div_result_type(%a: tensor<2x1xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'cnn.div' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<2x1xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.div %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x1xf32>
  return
}

// -----

func.func @global_max_pool_result(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+2 {{'cnn.global_max_pool' op inferred type(s) 'tensor<1x3x1x1xf32>' are incompatible with return type(s) of operation 'tensor<1x3x4x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.global_max_pool %x : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @softmax_axis(%x: tensor<2x10xf32>) {
  // expected-error @+1 {{softmax: axis 2 is out of range for rank 2}}
  %0 = cnn.softmax %x {axis = 2} : tensor<2x10xf32>
  return
}

// -----

func.func @log_softmax_axis(%x: tensor<2x10xf32>) {
  // expected-error @+1 {{log_softmax: axis -3 is out of range for rank 2}}
  %0 = cnn.log_softmax %x {axis = -3} : tensor<2x10xf32>
  return
}
