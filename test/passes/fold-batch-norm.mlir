// RUN: cnnc-opt %s -split-input-file --cnn-fold-batch-norm | FileCheck %s

// Folded weights and biases are dense_resource blobs, printed as hex: a
// 4-byte alignment (04000000) then little-endian f32 values.

// s = scale / sqrt(var + eps) = [2/2, 3/4] = [1, 0.75].
// weight' = [1 * 1, 2 * 0.75] = [1, 1.5] (3F800000, 3FC00000).
// No conv bias: bias' = (0 - mean) * s + beta = [0.5, -1.75] (3F000000,
// BFE00000). The names come from the conv's layer name.
// CHECK-LABEL: func.func @no_bias(
// CHECK-SAME: %[[X:[^:]*]]: tensor<1x1x2x2xf32>
// CHECK-NEXT: %[[W:.*]] = cnn.constant dense_resource<c1.weight.folded> : tensor<2x1x1x1xf32>
// CHECK-NEXT: %[[B:.*]] = cnn.constant dense_resource<c1.bias.folded> : tensor<2xf32>
// CHECK-NEXT: %[[C:.*]] = cnn.conv2d %[[X]], %[[W]], %[[B]] {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
// CHECK-NEXT: return %[[C]]
// CHECK: c1.weight.folded: "0x040000000000803F0000C03F"
// CHECK: c1.bias.folded: "0x040000000000003F0000E0BF"
func.func @no_bias(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = cnn.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %scale = cnn.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %beta = cnn.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %mean = cnn.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %var = cnn.constant dense<[3.0, 15.0]> : tensor<2xf32>
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32> loc("c1")
  %1 = cnn.batch_norm %0, %scale, %beta, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32> loc("bn1")
  return %1 : tensor<1x2x2x2xf32>
}

// -----

// Weights and bias read from blobs; the new blobs are named after the old.
// bias' = (bias - mean) * s + beta = [(1 - 0.5) * 1 + 1, (2 - 1) * 0.75 - 1]
//       = [1.5, -0.25] (3FC00000, BE800000).
// CHECK-LABEL: func.func @blob_bias(
// CHECK: cnn.constant dense_resource<c2.weight.folded>
// CHECK: cnn.constant dense_resource<c2.bias.folded>
// CHECK: cnn.conv2d
// CHECK-NOT: cnn.batch_norm
// CHECK-NOT: dense_resource<c2.weight>
// CHECK: c2.weight.folded: "0x040000000000803F0000C03F"
// CHECK: c2.bias.folded: "0x040000000000C03F000080BE"
func.func @blob_bias(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = cnn.constant dense_resource<c2.weight> : tensor<2x1x1x1xf32>
  %b = cnn.constant dense_resource<c2.bias> : tensor<2xf32>
  %scale = cnn.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %beta = cnn.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %mean = cnn.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %var = cnn.constant dense<[3.0, 15.0]> : tensor<2xf32>
  %0 = cnn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %1 = cnn.batch_norm %0, %scale, %beta, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      c2.weight: "0x040000000000803F00000040",
      c2.bias: "0x040000000000803F00000040"
    }
  }
#-}

// -----

// conv_transpose2d: weight [C, F, 1, 1], output channel f is the second index:
// [[1, 2], [3, 4]] * s[j] = [[1, 1.5], [3, 3]].
// CHECK-LABEL: func.func @transpose(
// CHECK: %[[W:.*]] = cnn.constant dense_resource<d1.weight.folded> : tensor<2x2x1x1xf32>
// CHECK: %[[B:.*]] = cnn.constant dense_resource<d1.bias.folded>
// CHECK: cnn.conv_transpose2d %{{.*}}, %[[W]], %[[B]]
// CHECK-NOT: cnn.batch_norm
// CHECK: d1.weight.folded: "0x040000000000803F0000C03F0000404000004040"
func.func @transpose(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = cnn.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %scale = cnn.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %beta = cnn.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %mean = cnn.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %var = cnn.constant dense<[3.0, 15.0]> : tensor<2xf32>
  %0 = cnn.conv_transpose2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x2x2xf32> loc("d1")
  %1 = cnn.batch_norm %0, %scale, %beta, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
}

// -----

// Grouped conv_transpose2d: weight [C=2, F/groups=2, 1, 1] with groups = 2, so
// weight[c, j] feeds output channel 2c + j; s = [1, 2, 3, 4].
// CHECK-LABEL: func.func @transpose_grouped(
// CHECK: cnn.conv_transpose2d
// CHECK-NOT: cnn.batch_norm
// CHECK: d2.weight.folded: "0x040000000000803F000000400000404000008040"
// CHECK: d2.bias.folded: "0x0400000000000000000000000000000000000000"
func.func @transpose_grouped(%x: tensor<1x2x2x2xf32>) -> tensor<1x4x2x2xf32> {
  %w = cnn.constant dense<1.0> : tensor<2x2x1x1xf32>
  %scale = cnn.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %zero = cnn.constant dense<0.0> : tensor<4xf32>
  %0 = cnn.conv_transpose2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 2} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<1x4x2x2xf32> loc("d2")
  %1 = cnn.batch_norm %0, %scale, %zero, %zero, %zero {epsilon = 1.0 : f32} : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return %1 : tensor<1x4x2x2xf32>
}

// -----

// The conv result has another user: folding would change it.
// CHECK-LABEL: func.func @other_user(
// CHECK: cnn.conv2d
// CHECK: cnn.batch_norm
// CHECK: cnn.add
func.func @other_user(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = cnn.constant dense<1.0> : tensor<2x1x1x1xf32>
  %p = cnn.constant dense<1.0> : tensor<2xf32>
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %1 = cnn.batch_norm %0, %p, %p, %p, %p {epsilon = 1.0 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %2 = cnn.add %0, %1 : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %2 : tensor<1x2x2x2xf32>
}

// -----

// Weights that are not constant cannot be rescaled.
// CHECK-LABEL: func.func @weight_argument(
// CHECK: cnn.conv2d
// CHECK-NEXT: cnn.batch_norm
func.func @weight_argument(%x: tensor<1x1x2x2xf32>, %w: tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32> {
  %p = cnn.constant dense<1.0> : tensor<2xf32>
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %1 = cnn.batch_norm %0, %p, %p, %p, %p {epsilon = 1.0 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
}

// -----

// Nor can batch-norm statistics that are not constant.
// CHECK-LABEL: func.func @mean_argument(
// CHECK: cnn.conv2d
// CHECK-NEXT: cnn.batch_norm
func.func @mean_argument(%x: tensor<1x1x2x2xf32>, %mean: tensor<2xf32>) -> tensor<1x2x2x2xf32> {
  %w = cnn.constant dense<1.0> : tensor<2x1x1x1xf32>
  %p = cnn.constant dense<1.0> : tensor<2xf32>
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %1 = cnn.batch_norm %0, %p, %p, %mean, %p {epsilon = 1.0 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
}

// -----

// A blob whose data is not available (elided) is left alone.
// CHECK-LABEL: func.func @missing_blob(
// CHECK: cnn.conv2d
// CHECK-NEXT: cnn.batch_norm
func.func @missing_blob(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = cnn.constant dense_resource<__elided__> : tensor<2x1x1x1xf32>
  %p = cnn.constant dense<1.0> : tensor<2xf32>
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %1 = cnn.batch_norm %0, %p, %p, %p, %p {epsilon = 1.0 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
}

// -----

// Only a conv producer is folded.
// CHECK-LABEL: func.func @after_relu(
// CHECK: cnn.relu
// CHECK-NEXT: cnn.batch_norm
func.func @after_relu(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %p = cnn.constant dense<1.0> : tensor<2xf32>
  %0 = cnn.relu %x : tensor<1x2x2x2xf32>
  %1 = cnn.batch_norm %0, %p, %p, %p, %p {epsilon = 1.0 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
}
