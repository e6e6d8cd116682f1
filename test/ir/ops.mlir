// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s
// RUN: cnnc-opt %s -mlir-print-op-generic | cnnc-opt | FileCheck %s
// Every op round-trips through the custom and the generic form. The result
// types written here are the ones the shape rules infer (a mismatch fails
// verification), so the tricky cases double as shape-rule tests.

// CHECK-LABEL: func.func @constant(
// CHECK: %{{.*}} = cnn.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
func.func @constant() -> tensor<2xf32> {
  %0 = cnn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// Asymmetric pads [top, left, bottom, right] = [0, 1, 1, 2] with stride 2:
// OH = (7 + 0 + 1 - 3) / 2 + 1 = 3, OW = (7 + 1 + 2 - 3) / 2 + 1 = 4.
// CHECK-LABEL: func.func @conv_asymmetric(
// CHECK: %{{.*}} = cnn.conv2d %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 0, 1, 1, 2>, strides = array<i64: 2, 2>} : (tensor<1x3x7x7xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x3x4xf32>
func.func @conv_asymmetric(%x: tensor<1x3x7x7xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x3x4xf32> {
  %0 = cnn.conv2d %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 0, 1, 1, 2>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x7x7xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x3x4xf32>
  return %0 : tensor<1x4x3x4xf32>
}

// Dilations [2, 3] widen the 3x3 kernel to 5x7: 10 - 5 + 1 = 6, 10 - 7 + 1 = 4.
// CHECK-LABEL: func.func @conv_dilated(
// CHECK: %{{.*}} = cnn.conv2d %{{.*}}, %{{.*}} {dilations = array<i64: 2, 3>, groups = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x4xf32>
func.func @conv_dilated(%x: tensor<1x3x10x10xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x4xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 3>, groups = 1} : (tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x4xf32>
  return %0 : tensor<1x4x6x4xf32>
}

// Depthwise: groups = C, one input channel per filter.
// CHECK-LABEL: func.func @conv_depthwise(
// CHECK: %{{.*}} = cnn.conv2d %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, groups = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x8x8x8xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x8x8xf32>
func.func @conv_depthwise(%x: tensor<1x8x8x8xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<1x8x8x8xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 8} : (tensor<1x8x8x8xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// Stride 2, output_padding 1: OH = 2 * (4 - 1) + 1 + (3 - 1) + 1 - 1 - 1 = 8;
// grouped, so F = weight[1] * groups = 8.
// CHECK-LABEL: func.func @conv_transpose(
// CHECK: %{{.*}} = cnn.conv_transpose2d %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, groups = 2 : i64, output_padding = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x8x4x4xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
func.func @conv_transpose(%x: tensor<1x8x4x4xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x8x8xf32> {
  %0 = cnn.conv_transpose2d %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>, dilations = array<i64: 1, 1>, groups = 2} : (tensor<1x8x4x4xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// Ceil mode: H = 5, kernel 2, stride 2 gives ceil(3 / 2) + 1 = 3 (floor: 2).
// CHECK-LABEL: func.func @max_pool_ceil(
// CHECK: %{{.*}} = cnn.max_pool2d %{{.*}} {ceil_mode = true, dilations = array<i64: 1, 1>, kernel = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
// CHECK-NEXT: %{{.*}} = cnn.max_pool2d %{{.*}} {ceil_mode = false, dilations = array<i64: 1, 1>, kernel = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x2x2xf32>
func.func @max_pool_ceil(%x: tensor<1x1x5x5xf32>) -> (tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>) {
  %0 = cnn.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  %1 = cnn.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x1x5x5xf32>) -> tensor<1x1x2x2xf32>
  return %0, %1 : tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>
}

// Ceil mode drops a last window that would start in the end padding: with
// pads 1, ceil(5 / 2) + 1 = 4 windows, but the 4th starts at 6 >= 5 + 1.
// CHECK-LABEL: func.func @max_pool_ceil_drop(
// CHECK: %{{.*}} = cnn.max_pool2d %{{.*}} {ceil_mode = true, dilations = array<i64: 1, 1>, kernel = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
func.func @max_pool_ceil_drop(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32> {
  %0 = cnn.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// A dilated window: span 2 * (3 - 1) + 1 = 5, so 9 - 5 + 1 = 5.
// CHECK-LABEL: func.func @max_pool_dilated(
// CHECK: %{{.*}} = cnn.max_pool2d %{{.*}} {ceil_mode = false, dilations = array<i64: 2, 2>, kernel = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x9x9xf32>) -> tensor<1x2x5x5xf32>
func.func @max_pool_dilated(%x: tensor<1x2x9x9xf32>) -> tensor<1x2x5x5xf32> {
  %0 = cnn.max_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 2>, ceil_mode = false} : (tensor<1x2x9x9xf32>) -> tensor<1x2x5x5xf32>
  return %0 : tensor<1x2x5x5xf32>
}

// 3x3 / stride 2 / pad 1 over 8: ceil(7 / 2) + 1 = 5 and the 5th window
// starts at 8 < 8 + 1, so it stays.
// CHECK-LABEL: func.func @avg_pool_ceil(
// CHECK: %{{.*}} = cnn.avg_pool2d %{{.*}} {ceil_mode = true, count_include_pad = true, kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x8x8xf32>) -> tensor<1x2x5x5xf32>
func.func @avg_pool_ceil(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x5x5xf32> {
  %0 = cnn.avg_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode = true, count_include_pad = true} : (tensor<1x2x8x8xf32>) -> tensor<1x2x5x5xf32>
  return %0 : tensor<1x2x5x5xf32>
}

// CHECK-LABEL: func.func @global_pools(
// CHECK: %{{.*}} = cnn.global_avg_pool %{{.*}} : (tensor<1x2x7x5xf32>) -> tensor<1x2x1x1xf32>
// CHECK-NEXT: %{{.*}} = cnn.global_max_pool %{{.*}} : (tensor<1x2x7x5xf32>) -> tensor<1x2x1x1xf32>
func.func @global_pools(%x: tensor<1x2x7x5xf32>) -> (tensor<1x2x1x1xf32>, tensor<1x2x1x1xf32>) {
  %0 = cnn.global_avg_pool %x : (tensor<1x2x7x5xf32>) -> tensor<1x2x1x1xf32>
  %1 = cnn.global_max_pool %x : (tensor<1x2x7x5xf32>) -> tensor<1x2x1x1xf32>
  return %0, %1 : tensor<1x2x1x1xf32>, tensor<1x2x1x1xf32>
}

// CHECK-LABEL: func.func @activations(
// CHECK: %{{.*}} = cnn.relu %{{.*}} : tensor<2x3xf32>
// CHECK-NEXT: %{{.*}} = cnn.sigmoid %{{.*}} : tensor<2x3xf32>
// CHECK-NEXT: %{{.*}} = cnn.tanh %{{.*}} : tensor<2x3xf32>
// CHECK-NEXT: %{{.*}} = cnn.hard_swish %{{.*}} : tensor<2x3xf32>
// CHECK-NEXT: %{{.*}} = cnn.softplus %{{.*}} : tensor<2x3xf32>
// CHECK-NEXT: %{{.*}} = cnn.softsign %{{.*}} : tensor<2x3xf32>
// CHECK-NEXT: %{{.*}} = cnn.gelu %{{.*}} {approximate = true} : tensor<2x3xf32>
// CHECK-NEXT: %{{.*}} = cnn.leaky_relu %{{.*}} {alpha = 1.000000e-01 : f32} : tensor<2x3xf32>
// CHECK-NEXT: %{{.*}} = cnn.elu %{{.*}} {alpha = 1.000000e+00 : f32} : tensor<2x3xf32>
// CHECK-NEXT: %{{.*}} = cnn.selu %{{.*}} {alpha = 1.670000e+00 : f32, gamma = 1.050000e+00 : f32} : tensor<2x3xf32>
// CHECK-NEXT: %{{.*}} = cnn.hard_sigmoid %{{.*}} {alpha = 2.000000e-01 : f32, beta = 5.000000e-01 : f32} : tensor<2x3xf32>
// CHECK-NEXT: %{{.*}} = cnn.clip %{{.*}} {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32} : tensor<2x3xf32>
func.func @activations(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cnn.relu %x : tensor<2x3xf32>
  %1 = cnn.sigmoid %0 : tensor<2x3xf32>
  %2 = cnn.tanh %1 : tensor<2x3xf32>
  %3 = cnn.hard_swish %2 : tensor<2x3xf32>
  %4 = cnn.softplus %3 : tensor<2x3xf32>
  %5 = cnn.softsign %4 : tensor<2x3xf32>
  %6 = cnn.gelu %5 {approximate = true} : tensor<2x3xf32>
  %7 = cnn.leaky_relu %6 {alpha = 0.1 : f32} : tensor<2x3xf32>
  %8 = cnn.elu %7 {alpha = 1.0 : f32} : tensor<2x3xf32>
  %9 = cnn.selu %8 {alpha = 1.67 : f32, gamma = 1.05 : f32} : tensor<2x3xf32>
  %10 = cnn.hard_sigmoid %9 {alpha = 0.2 : f32, beta = 0.5 : f32} : tensor<2x3xf32>
  %11 = cnn.clip %10 {min = 0.0 : f32, max = 6.0 : f32} : tensor<2x3xf32>
  return %11 : tensor<2x3xf32>
}

// One slope per channel.
// CHECK-LABEL: func.func @prelu(
// CHECK: %{{.*}} = cnn.prelu %{{.*}}, %{{.*}} : (tensor<1x4x2x2xf32>, tensor<4x1x1xf32>) -> tensor<1x4x2x2xf32>
func.func @prelu(%x: tensor<1x4x2x2xf32>, %s: tensor<4x1x1xf32>) -> tensor<1x4x2x2xf32> {
  %0 = cnn.prelu %x, %s : (tensor<1x4x2x2xf32>, tensor<4x1x1xf32>) -> tensor<1x4x2x2xf32>
  return %0 : tensor<1x4x2x2xf32>
}

// CHECK-LABEL: func.func @batch_norm(
// CHECK: %{{.*}} = cnn.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 9.99999974E-6 : f32} : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
func.func @batch_norm(%x: tensor<1x4x2x2xf32>, %p: tensor<4xf32>) -> tensor<1x4x2x2xf32> {
  %0 = cnn.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f32} : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return %0 : tensor<1x4x2x2xf32>
}

// Both operands stretch: [1, 4, 1, 1] and [3, 5] give [1, 4, 3, 5].
// CHECK-LABEL: func.func @binary(
// CHECK: %{{.*}} = cnn.add %{{.*}}, %{{.*}} : (tensor<1x4x1x1xf32>, tensor<3x5xf32>) -> tensor<1x4x3x5xf32>
// CHECK-NEXT: %{{.*}} = cnn.sub %{{.*}}, %{{.*}} : (tensor<1x4x3x5xf32>, tensor<3x5xf32>) -> tensor<1x4x3x5xf32>
// CHECK-NEXT: %{{.*}} = cnn.mul %{{.*}}, %{{.*}} : (tensor<1x4x3x5xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x3x5xf32>
// CHECK-NEXT: %{{.*}} = cnn.div %{{.*}}, %{{.*}} : (tensor<1x4x3x5xf32>, tensor<1x4x3x5xf32>) -> tensor<1x4x3x5xf32>
func.func @binary(%a: tensor<1x4x1x1xf32>, %b: tensor<3x5xf32>) -> tensor<1x4x3x5xf32> {
  %0 = cnn.add %a, %b : (tensor<1x4x1x1xf32>, tensor<3x5xf32>) -> tensor<1x4x3x5xf32>
  %1 = cnn.sub %0, %b : (tensor<1x4x3x5xf32>, tensor<3x5xf32>) -> tensor<1x4x3x5xf32>
  %2 = cnn.mul %1, %a : (tensor<1x4x3x5xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x3x5xf32>
  %3 = cnn.div %2, %2 : (tensor<1x4x3x5xf32>, tensor<1x4x3x5xf32>) -> tensor<1x4x3x5xf32>
  return %3 : tensor<1x4x3x5xf32>
}

// CHECK-LABEL: func.func @concat(
// CHECK: %{{.*}} = cnn.concat %{{.*}}, %{{.*}} {axis = -1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x3xf32>) -> tensor<1x2x4x7xf32>
func.func @concat(%a: tensor<1x2x4x4xf32>, %b: tensor<1x2x4x3xf32>) -> tensor<1x2x4x7xf32> {
  %0 = cnn.concat %a, %b {axis = -1} : (tensor<1x2x4x4xf32>, tensor<1x2x4x3xf32>) -> tensor<1x2x4x7xf32>
  return %0 : tensor<1x2x4x7xf32>
}

// CHECK-LABEL: func.func @flatten(
// CHECK: %{{.*}} = cnn.flatten %{{.*}} {axis = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<1x24xf32>
// CHECK-NEXT: %{{.*}} = cnn.flatten %{{.*}} {axis = -1 : i64} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
// CHECK-NEXT: %{{.*}} = cnn.flatten %{{.*}} {axis = 3 : i64} : (tensor<2x3x4xf32>) -> tensor<24x1xf32>
func.func @flatten(%x: tensor<2x3x4xf32>) -> (tensor<1x24xf32>, tensor<6x4xf32>, tensor<24x1xf32>) {
  %0 = cnn.flatten %x {axis = 0} : (tensor<2x3x4xf32>) -> tensor<1x24xf32>
  %1 = cnn.flatten %x {axis = -1} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %2 = cnn.flatten %x {axis = 3} : (tensor<2x3x4xf32>) -> tensor<24x1xf32>
  return %0, %1, %2 : tensor<1x24xf32>, tensor<6x4xf32>, tensor<24x1xf32>
}

// 0 copies the input's dimension, -1 takes the rest.
// CHECK-LABEL: func.func @reshape(
// CHECK: %{{.*}} = cnn.reshape %{{.*}} {shape = array<i64: 0, -1, 3>} : (tensor<2x3x4xf32>) -> tensor<2x4x3xf32>
func.func @reshape(%x: tensor<2x3x4xf32>) -> tensor<2x4x3xf32> {
  %0 = cnn.reshape %x {shape = array<i64: 0, -1, 3>} : (tensor<2x3x4xf32>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// CHECK-LABEL: func.func @transpose(
// CHECK: %{{.*}} = cnn.transpose %{{.*}} {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = cnn.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// Reflect padding of 3 fits a dimension of 4.
// CHECK-LABEL: func.func @pad(
// CHECK: %{{.*}} = cnn.pad %{{.*}} {mode = #cnn<pad_mode reflect>, pads = array<i64: 0, 0, 3, 0, 0, 0, 0, 1>, value = 0.000000e+00 : f32} : (tensor<1x3x4x4xf32>) -> tensor<1x3x7x5xf32>
// CHECK-NEXT: %{{.*}} = cnn.pad %{{.*}} {mode = #cnn<pad_mode constant>, pads = array<i64: 1, 0, 0, 0, 0, 0, 0, 0>, value = 1.500000e+00 : f32} : (tensor<1x3x4x4xf32>) -> tensor<2x3x4x4xf32>
func.func @pad(%x: tensor<1x3x4x4xf32>) -> (tensor<1x3x7x5xf32>, tensor<2x3x4x4xf32>) {
  %0 = cnn.pad %x {pads = array<i64: 0, 0, 3, 0, 0, 0, 0, 1>, mode = #cnn<pad_mode reflect>, value = 0.0 : f32} : (tensor<1x3x4x4xf32>) -> tensor<1x3x7x5xf32>
  %1 = cnn.pad %x {pads = array<i64: 1, 0, 0, 0, 0, 0, 0, 0>, mode = #cnn<pad_mode constant>, value = 1.5 : f32} : (tensor<1x3x4x4xf32>) -> tensor<2x3x4x4xf32>
  return %0, %1 : tensor<1x3x7x5xf32>, tensor<2x3x4x4xf32>
}

// CHECK-LABEL: func.func @resize(
// CHECK: %{{.*}} = cnn.resize %{{.*}} {coord_mode = #cnn<coord_mode half_pixel>, mode = #cnn<resize_mode linear>, nearest_mode = #cnn<nearest_mode round_prefer_floor>, size = array<i64: 8, 6>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x6xf32>
func.func @resize(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x8x6xf32> {
  %0 = cnn.resize %x {size = array<i64: 8, 6>, mode = #cnn<resize_mode linear>, coord_mode = #cnn<coord_mode half_pixel>, nearest_mode = #cnn<nearest_mode round_prefer_floor>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x6xf32>
  return %0 : tensor<1x3x8x6xf32>
}

// ONNX's fractional scales; cubic with its coefficient (the default -0.75
// is not printed) and exclude_outside.
// CHECK-LABEL: func.func @resize_scale_cubic(
// CHECK: cnn.resize %{{.*}} {coord_mode = #cnn<coord_mode align_corners>, cubic_coeff_a = -5.000000e-01 : f32, exclude_outside = true, mode = #cnn<resize_mode cubic>, nearest_mode = #cnn<nearest_mode floor>, scale = array<f32: 1.500000e+00, 1.800000e+00>, size = array<i64: 6, 7>}
// CHECK: cnn.resize %{{.*}} {coord_mode = #cnn<coord_mode tf_half_pixel_for_nn>, mode = #cnn<resize_mode cubic>, nearest_mode = #cnn<nearest_mode floor>, size = array<i64: 6, 7>}
func.func @resize_scale_cubic(%x: tensor<1x3x4x4xf32>) -> (tensor<1x3x6x7xf32>, tensor<1x3x6x7xf32>) {
  %0 = cnn.resize %x {size = array<i64: 6, 7>, mode = #cnn<resize_mode cubic>, coord_mode = #cnn<coord_mode align_corners>, nearest_mode = #cnn<nearest_mode floor>, scale = array<f32: 1.5, 1.8>, cubic_coeff_a = -0.5 : f32, exclude_outside = true} : (tensor<1x3x4x4xf32>) -> tensor<1x3x6x7xf32>
  %1 = cnn.resize %x {size = array<i64: 6, 7>, mode = #cnn<resize_mode cubic>, coord_mode = #cnn<coord_mode tf_half_pixel_for_nn>, nearest_mode = #cnn<nearest_mode floor>, cubic_coeff_a = -0.75 : f32, exclude_outside = false} : (tensor<1x3x4x4xf32>) -> tensor<1x3x6x7xf32>
  return %0, %1 : tensor<1x3x6x7xf32>, tensor<1x3x6x7xf32>
}

// CHECK-LABEL: func.func @resize_crop(
// CHECK: cnn.resize %{{.*}} {coord_mode = #cnn<coord_mode tf_crop_and_resize>, extrapolation_value = 1.000000e+01 : f32, mode = #cnn<resize_mode linear>, nearest_mode = #cnn<nearest_mode floor>, roi = array<f32: 4.000000e-01, 6.000000e-01, 1.200000e+00, 1.700000e+00>, size = array<i64: 3, 3>}
func.func @resize_crop(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x3x3xf32> {
  %0 = cnn.resize %x {size = array<i64: 3, 3>, mode = #cnn<resize_mode linear>, coord_mode = #cnn<coord_mode tf_crop_and_resize>, nearest_mode = #cnn<nearest_mode floor>, roi = array<f32: 0.4, 0.6, 1.2, 1.7>, extrapolation_value = 10.0 : f32} : (tensor<1x3x4x4xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// A PyTorch Linear: b is [out, in], the bias [out] broadcasts over rows.
// CHECK-LABEL: func.func @dense(
// CHECK: %{{.*}} = cnn.dense %{{.*}}, %{{.*}}, %{{.*}} {alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, trans_a = false, trans_b = true} : (tensor<2x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<2x4xf32>
// CHECK-NEXT: %{{.*}} = cnn.dense %{{.*}}, %{{.*}} {alpha = 5.000000e-01 : f32, beta = 0.000000e+00 : f32, trans_a = true, trans_b = false} : (tensor<2x8xf32>, tensor<2x4xf32>) -> tensor<8x4xf32>
func.func @dense(%a: tensor<2x8xf32>, %b: tensor<4x8xf32>, %c: tensor<4xf32>) -> (tensor<2x4xf32>, tensor<8x4xf32>) {
  %0 = cnn.dense %a, %b, %c {trans_a = false, trans_b = true, alpha = 1.0 : f32, beta = 1.0 : f32} : (tensor<2x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %1 = cnn.dense %a, %0 {trans_a = true, trans_b = false, alpha = 0.5 : f32, beta = 0.0 : f32} : (tensor<2x8xf32>, tensor<2x4xf32>) -> tensor<8x4xf32>
  return %0, %1 : tensor<2x4xf32>, tensor<8x4xf32>
}

// 1-D operands gain and then lose a dimension; batch dimensions broadcast.
// CHECK-LABEL: func.func @matmul(
// CHECK: %{{.*}} = cnn.matmul %{{.*}}, %{{.*}} : (tensor<3xf32>, tensor<3x5xf32>) -> tensor<5xf32>
// CHECK-NEXT: %{{.*}} = cnn.matmul %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>
// CHECK-NEXT: %{{.*}} = cnn.matmul %{{.*}}, %{{.*}} : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
// CHECK-NEXT: %{{.*}} = cnn.matmul %{{.*}}, %{{.*}} : (tensor<2x1x4x3xf32>, tensor<5x3x6xf32>) -> tensor<2x5x4x6xf32>
func.func @matmul(%v: tensor<3xf32>, %m: tensor<3x5xf32>, %n: tensor<2x3xf32>, %a: tensor<2x1x4x3xf32>, %b: tensor<5x3x6xf32>) -> (tensor<5xf32>, tensor<2xf32>, tensor<f32>, tensor<2x5x4x6xf32>) {
  %0 = cnn.matmul %v, %m : (tensor<3xf32>, tensor<3x5xf32>) -> tensor<5xf32>
  %1 = cnn.matmul %n, %v : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>
  %2 = cnn.matmul %v, %v : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
  %3 = cnn.matmul %a, %b : (tensor<2x1x4x3xf32>, tensor<5x3x6xf32>) -> tensor<2x5x4x6xf32>
  return %0, %1, %2, %3 : tensor<5xf32>, tensor<2xf32>, tensor<f32>, tensor<2x5x4x6xf32>
}

// CHECK-LABEL: func.func @softmax(
// CHECK: %{{.*}} = cnn.softmax %{{.*}} {axis = -1 : i64} : tensor<2x10xf32>
// CHECK-NEXT: %{{.*}} = cnn.log_softmax %{{.*}} {axis = 0 : i64} : tensor<2x10xf32>
func.func @softmax(%x: tensor<2x10xf32>) -> (tensor<2x10xf32>, tensor<2x10xf32>) {
  %0 = cnn.softmax %x {axis = -1} : tensor<2x10xf32>
  %1 = cnn.log_softmax %x {axis = 0} : tensor<2x10xf32>
  return %0, %1 : tensor<2x10xf32>, tensor<2x10xf32>
}
