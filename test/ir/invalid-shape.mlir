// RUN: cnnc-opt %s -split-input-file -verify-diagnostics
// Diagnostics of concat, flatten, reshape, transpose, pad and resize (see
// invalid-conv-pool.mlir for the conventions).

func.func @concat_empty() {
  // expected-error @+2 {{concat: needs at least one input}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.concat {axis = 0} : () -> tensor<1xf32>
  return
}

// -----

func.func @concat_axis(%a: tensor<1x2xf32>) {
  // expected-error @+2 {{concat: axis 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.concat %a, %a {axis = 2} : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x4xf32>
  return
}

// -----

func.func @concat_mismatch(%a: tensor<1x2x4x4xf32>, %b: tensor<1x3x4x5xf32>) {
  // expected-error @+2 {{concat: input 1 has shape [1, 3, 4, 5], which does not match [1, 2, 4, 4] outside axis 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.concat %a, %b {axis = 1} : (tensor<1x2x4x4xf32>, tensor<1x3x4x5xf32>) -> tensor<1x5x4x4xf32>
  return
}

// -----

func.func @concat_rank(%a: tensor<1x2xf32>, %b: tensor<1x2x1xf32>) {
  // expected-error @+2 {{concat: input 1 has shape [1, 2, 1], which does not match [1, 2] outside axis 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.concat %a, %b {axis = -1} : (tensor<1x2xf32>, tensor<1x2x1xf32>) -> tensor<1x4xf32>
  return
}

// -----

func.func @flatten_axis(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{flatten: axis 4 is out of range for rank 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.flatten %x {axis = 4} : (tensor<2x3x4xf32>) -> tensor<24x1xf32>
  return
}

// -----

func.func @flatten_negative_axis(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{flatten: axis -4 is out of range for rank 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.flatten %x {axis = -4} : (tensor<2x3x4xf32>) -> tensor<1x24xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{reshape: cannot reshape [2, 3] (6 elements) to [4, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.reshape %x {shape = array<i64: 4, 2>} : (tensor<2x3xf32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @reshape_infer_count(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{reshape: cannot reshape [2, 3] (6 elements) to [4, -1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.reshape %x {shape = array<i64: 4, -1>} : (tensor<2x3xf32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @reshape_two_minus_one(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{reshape: shape [-1, -1] has more than one -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.reshape %x {shape = array<i64: -1, -1>} : (tensor<2x3xf32>) -> tensor<6x1xf32>
  return
}

// -----

func.func @reshape_negative(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{reshape: shape [-2, -3] has an invalid entry -2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.reshape %x {shape = array<i64: -2, -3>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

// 0 copies the input's dimension, so it is invalid past the input's rank.
func.func @reshape_zero_past_rank(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{reshape: shape [0, 3, 0] has an invalid entry 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.reshape %x {shape = array<i64: 0, 3, 0>} : (tensor<2x3xf32>) -> tensor<2x3x1xf32>
  return
}

// -----

func.func @transpose_perm(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{transpose: perm [0, 0, 1] is not a permutation of rank 3}}
  %0 = cnn.transpose %x {perm = array<i64: 0, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<2x2x3xf32>
  return
}

// -----

func.func @transpose_perm_length(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{transpose: perm [1, 0] is not a permutation of rank 3}}
  %0 = cnn.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3x4xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @transpose_perm_range(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{transpose: perm [2, 0] is not a permutation of rank 2}}
  %0 = cnn.transpose %x {perm = array<i64: 2, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @pad_count(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{pad: pads must have 8 entries, got 4}}
  %0 = cnn.pad %x {pads = array<i64: 1, 1, 1, 1>, mode = #cnn<pad_mode constant>, value = 0.0 : f32} : (tensor<1x3x4x4xf32>) -> tensor<1x3x6x6xf32>
  return
}

// -----

func.func @pad_negative(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{pad: pads must be >= 0, got [0, -1, 0, 0]}}
  %0 = cnn.pad %x {pads = array<i64: 0, -1, 0, 0>, mode = #cnn<pad_mode edge>, value = 0.0 : f32} : (tensor<4x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @pad_reflect(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{pad: reflect padding [0, 0, 0, 4, 0, 0, 0, 0] must be smaller than the input [1, 3, 4, 4]}}
  %0 = cnn.pad %x {pads = array<i64: 0, 0, 0, 4, 0, 0, 0, 0>, mode = #cnn<pad_mode reflect>, value = 0.0 : f32} : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x8xf32>
  return
}

// -----

func.func @resize_size(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{resize: size must have 2 entries, got 4}}
  %0 = cnn.resize %x {size = array<i64: 1, 3, 8, 8>, mode = #cnn<resize_mode nearest>, coord_mode = #cnn<coord_mode asymmetric>, nearest_mode = #cnn<nearest_mode floor>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32>
  return
}

// -----

func.func @resize_zero(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{resize: size must be >= 1, got [0, 8]}}
  %0 = cnn.resize %x {size = array<i64: 0, 8>, mode = #cnn<resize_mode linear>, coord_mode = #cnn<coord_mode half_pixel>, nearest_mode = #cnn<nearest_mode floor>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x1x8xf32>
  return
}

// -----

func.func @resize_scale_count(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{resize: scale must have 2 entries, got 1}}
  %0 = cnn.resize %x {size = array<i64: 6, 6>, mode = #cnn<resize_mode linear>, nearest_mode = #cnn<nearest_mode floor>, coord_mode = #cnn<coord_mode half_pixel>, scale = array<f32: 1.5>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x6x6xf32>
  return
}

// -----

func.func @resize_scale_zero(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{resize: scale must be positive and finite, got 0}}
  %0 = cnn.resize %x {size = array<i64: 6, 6>, mode = #cnn<resize_mode linear>, nearest_mode = #cnn<nearest_mode floor>, coord_mode = #cnn<coord_mode half_pixel>, scale = array<f32: 1.5, 0.0>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x6x6xf32>
  return
}

// -----

func.func @resize_scale_inf(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{resize: scale must be positive and finite, got inf}}
  %0 = cnn.resize %x {size = array<i64: 6, 6>, mode = #cnn<resize_mode linear>, nearest_mode = #cnn<nearest_mode floor>, coord_mode = #cnn<coord_mode half_pixel>, scale = array<f32: 1.5, 0x7F800000>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x6x6xf32>
  return
}

// -----

func.func @resize_roi_count(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{resize: roi must have 4 entries, got 8}}
  %0 = cnn.resize %x {size = array<i64: 6, 6>, mode = #cnn<resize_mode linear>, nearest_mode = #cnn<nearest_mode floor>, coord_mode = #cnn<coord_mode tf_crop_and_resize>, roi = array<f32: 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x6x6xf32>
  return
}

// -----

func.func @resize_roi_nan(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{resize: roi must be finite, got nan}}
  %0 = cnn.resize %x {size = array<i64: 6, 6>, mode = #cnn<resize_mode linear>, nearest_mode = #cnn<nearest_mode floor>, coord_mode = #cnn<coord_mode tf_crop_and_resize>, roi = array<f32: 0.0, 0x7FC00000, 1.0, 1.0>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x6x6xf32>
  return
}

// -----

func.func @resize_crop_no_roi(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{resize: coord_mode tf_crop_and_resize needs a roi}}
  %0 = cnn.resize %x {size = array<i64: 6, 6>, mode = #cnn<resize_mode linear>, nearest_mode = #cnn<nearest_mode floor>, coord_mode = #cnn<coord_mode tf_crop_and_resize>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x6x6xf32>
  return
}

// -----

func.func @resize_roi_not_crop(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{resize: roi is only used by coord_mode tf_crop_and_resize}}
  %0 = cnn.resize %x {size = array<i64: 6, 6>, mode = #cnn<resize_mode linear>, nearest_mode = #cnn<nearest_mode floor>, coord_mode = #cnn<coord_mode half_pixel>, roi = array<f32: 0.0, 0.0, 1.0, 1.0>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x6x6xf32>
  return
}

// -----

func.func @resize_crop_scale(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{resize: coord_mode tf_crop_and_resize maps by roi and size, not by scale}}
  %0 = cnn.resize %x {size = array<i64: 6, 6>, mode = #cnn<resize_mode linear>, nearest_mode = #cnn<nearest_mode floor>, coord_mode = #cnn<coord_mode tf_crop_and_resize>, roi = array<f32: 0.0, 0.0, 1.0, 1.0>, scale = array<f32: 1.5, 1.5>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x6x6xf32>
  return
}
