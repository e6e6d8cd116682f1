// RUN: cnnc-opt %s -split-input-file --cnn-form-attention | FileCheck %s

// The PyTorch export: q k^T * c, softmax over the keys, times v.
// CHECK-LABEL: func.func @mul_scale(
// CHECK-SAME: %[[Q:[^:]*]]: tensor<1x2x3x4xf32>, %[[K:[^:]*]]: tensor<1x2x5x4xf32>, %[[V:[^:]*]]: tensor<1x2x5x6xf32>
// CHECK-NEXT: %[[A:.*]] = cnn.attention %[[Q]], %[[K]], %[[V]] {scale = 5.000000e-01 : f32} : (tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>, tensor<1x2x5x6xf32>) -> tensor<1x2x3x6xf32>
// CHECK-NEXT: return %[[A]]
func.func @mul_scale(%q: tensor<1x2x3x4xf32>, %k: tensor<1x2x5x4xf32>, %v: tensor<1x2x5x6xf32>) -> tensor<1x2x3x6xf32> {
  %c = cnn.constant dense<0.5> : tensor<f32>
  %kt = cnn.transpose %k {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x2x5x4xf32>) -> tensor<1x2x4x5xf32>
  %s = cnn.matmul %q, %kt : (tensor<1x2x3x4xf32>, tensor<1x2x4x5xf32>) -> tensor<1x2x3x5xf32>
  %ss = cnn.mul %s, %c : (tensor<1x2x3x5xf32>, tensor<f32>) -> tensor<1x2x3x5xf32>
  %p = cnn.softmax %ss {axis = -1 : i64} : tensor<1x2x3x5xf32>
  %y = cnn.matmul %p, %v : (tensor<1x2x3x5xf32>, tensor<1x2x5x6xf32>) -> tensor<1x2x3x6xf32>
  return %y : tensor<1x2x3x6xf32>
}

// -----

// Division by sqrt(d) = 2 (a splat of the score shape's tail), 3-D operands:
// one head.
// CHECK-LABEL: func.func @div_sqrt(
// CHECK-SAME: %[[Q:[^:]*]]: tensor<2x3x4xf32>, %[[K:[^:]*]]: tensor<2x5x4xf32>, %[[V:[^:]*]]: tensor<2x5x4xf32>
// CHECK-NEXT: %[[A:.*]] = cnn.attention %[[Q]], %[[K]], %[[V]] {num_heads = 1 : i64, scale = 5.000000e-01 : f32}
// CHECK-NEXT: return %[[A]]
func.func @div_sqrt(%q: tensor<2x3x4xf32>, %k: tensor<2x5x4xf32>, %v: tensor<2x5x4xf32>) -> tensor<2x3x4xf32> {
  %c = cnn.constant dense<2.0> : tensor<1x5xf32>
  %kt = cnn.transpose %k {perm = array<i64: 0, 2, 1>} : (tensor<2x5x4xf32>) -> tensor<2x4x5xf32>
  %s = cnn.matmul %q, %kt : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  %ss = cnn.div %s, %c : (tensor<2x3x5xf32>, tensor<1x5xf32>) -> tensor<2x3x5xf32>
  %p = cnn.softmax %ss {axis = 2 : i64} : tensor<2x3x5xf32>
  %y = cnn.matmul %p, %v : (tensor<2x3x5xf32>, tensor<2x5x4xf32>) -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}

// -----

// An additive mask (on either side of the add), the constant on the left.
// CHECK-LABEL: func.func @masked(
// CHECK-SAME: %[[Q:[^:]*]]: tensor<1x2x3x4xf32>, %[[K:[^:]*]]: tensor<1x2x5x4xf32>, %[[V:[^:]*]]: tensor<1x2x5x4xf32>, %[[M:[^:]*]]: tensor<3x5xf32>
// CHECK-NEXT: %[[A:.*]] = cnn.attention %[[Q]], %[[K]], %[[V]], %[[M]] {scale = 2.500000e-01 : f32}
// CHECK-NEXT: return %[[A]]
func.func @masked(%q: tensor<1x2x3x4xf32>, %k: tensor<1x2x5x4xf32>, %v: tensor<1x2x5x4xf32>, %m: tensor<3x5xf32>) -> tensor<1x2x3x4xf32> {
  %c = cnn.constant dense<0.25> : tensor<1xf32>
  %kt = cnn.transpose %k {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x2x5x4xf32>) -> tensor<1x2x4x5xf32>
  %s = cnn.matmul %q, %kt : (tensor<1x2x3x4xf32>, tensor<1x2x4x5xf32>) -> tensor<1x2x3x5xf32>
  %ss = cnn.mul %c, %s : (tensor<1xf32>, tensor<1x2x3x5xf32>) -> tensor<1x2x3x5xf32>
  %sm = cnn.add %m, %ss : (tensor<3x5xf32>, tensor<1x2x3x5xf32>) -> tensor<1x2x3x5xf32>
  %p = cnn.softmax %sm {axis = 3 : i64} : tensor<1x2x3x5xf32>
  %y = cnn.matmul %p, %v : (tensor<1x2x3x5xf32>, tensor<1x2x5x4xf32>) -> tensor<1x2x3x4xf32>
  return %y : tensor<1x2x3x4xf32>
}

// -----

// Not a match: the scores are also returned (a second use), so the chain
// cannot go.
// CHECK-LABEL: func.func @scores_used(
// CHECK-NOT: cnn.attention
// CHECK: cnn.softmax
func.func @scores_used(%q: tensor<1x2x3x4xf32>, %k: tensor<1x2x5x4xf32>, %v: tensor<1x2x5x4xf32>) -> (tensor<1x2x3x4xf32>, tensor<1x2x3x5xf32>) {
  %c = cnn.constant dense<0.5> : tensor<f32>
  %kt = cnn.transpose %k {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x2x5x4xf32>) -> tensor<1x2x4x5xf32>
  %s = cnn.matmul %q, %kt : (tensor<1x2x3x4xf32>, tensor<1x2x4x5xf32>) -> tensor<1x2x3x5xf32>
  %ss = cnn.mul %s, %c : (tensor<1x2x3x5xf32>, tensor<f32>) -> tensor<1x2x3x5xf32>
  %p = cnn.softmax %ss {axis = -1 : i64} : tensor<1x2x3x5xf32>
  %y = cnn.matmul %p, %v : (tensor<1x2x3x5xf32>, tensor<1x2x5x4xf32>) -> tensor<1x2x3x4xf32>
  return %y, %s : tensor<1x2x3x4xf32>, tensor<1x2x3x5xf32>
}

// -----

// Not a match: the scale is not uniform, the softmax is not over the keys,
// and k is transposed over the wrong dimensions (heads with positions).
// CHECK-LABEL: func.func @not_attention(
// CHECK-NOT: cnn.attention
// CHECK: return
func.func @not_attention(%q: tensor<1x2x3x4xf32>, %k: tensor<1x2x5x4xf32>, %v: tensor<1x2x5x4xf32>, %k2: tensor<1x4x5x2xf32>, %q2: tensor<1x5x3x2xf32>) -> (tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>, tensor<1x5x3x3xf32>) {
  %c = cnn.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0]> : tensor<5xf32>
  %kt = cnn.transpose %k {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x2x5x4xf32>) -> tensor<1x2x4x5xf32>
  %s = cnn.matmul %q, %kt : (tensor<1x2x3x4xf32>, tensor<1x2x4x5xf32>) -> tensor<1x2x3x5xf32>
  %ss = cnn.mul %s, %c : (tensor<1x2x3x5xf32>, tensor<5xf32>) -> tensor<1x2x3x5xf32>
  %p = cnn.softmax %ss {axis = -1 : i64} : tensor<1x2x3x5xf32>
  %y = cnn.matmul %p, %v : (tensor<1x2x3x5xf32>, tensor<1x2x5x4xf32>) -> tensor<1x2x3x4xf32>

  %c2 = cnn.constant dense<0.5> : tensor<f32>
  %kt2 = cnn.transpose %k {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x2x5x4xf32>) -> tensor<1x2x4x5xf32>
  %t = cnn.matmul %q, %kt2 : (tensor<1x2x3x4xf32>, tensor<1x2x4x5xf32>) -> tensor<1x2x3x5xf32>
  %ts = cnn.mul %t, %c2 : (tensor<1x2x3x5xf32>, tensor<f32>) -> tensor<1x2x3x5xf32>
  %tp = cnn.softmax %ts {axis = 2 : i64} : tensor<1x2x3x5xf32>
  %z = cnn.matmul %tp, %v : (tensor<1x2x3x5xf32>, tensor<1x2x5x4xf32>) -> tensor<1x2x3x4xf32>

  %kt3 = cnn.transpose %k2 {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x4x5x2xf32>) -> tensor<1x5x2x4xf32>
  %u = cnn.matmul %q2, %kt3 : (tensor<1x5x3x2xf32>, tensor<1x5x2x4xf32>) -> tensor<1x5x3x4xf32>
  %us = cnn.mul %u, %c2 : (tensor<1x5x3x4xf32>, tensor<f32>) -> tensor<1x5x3x4xf32>
  %up = cnn.softmax %us {axis = -1 : i64} : tensor<1x5x3x4xf32>
  %w = cnn.constant dense<1.0> : tensor<1x5x4x3xf32>
  %o = cnn.matmul %up, %w : (tensor<1x5x3x4xf32>, tensor<1x5x4x3xf32>) -> tensor<1x5x3x3xf32>
  return %y, %z, %o : tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>, tensor<1x5x3x3xf32>
}

// -----

// F.scaled_dot_product_attention's export: q and k^T each times a constant
// (sqrt(1/sqrt(d)) there), nothing after the matmul; the scale is the
// product, 0.5 * 0.25.
// CHECK-LABEL: func.func @sdpa_split_scale(
// CHECK-SAME: %[[Q:[^:]*]]: tensor<1x3x4xf32>, %[[K:[^:]*]]: tensor<1x5x4xf32>, %[[V:[^:]*]]: tensor<1x5x4xf32>
// CHECK-NEXT: %[[A:.*]] = cnn.attention %[[Q]], %[[K]], %[[V]] {num_heads = 1 : i64, scale = 1.250000e-01 : f32}
// CHECK-NEXT: return %[[A]]
func.func @sdpa_split_scale(%q: tensor<1x3x4xf32>, %k: tensor<1x5x4xf32>, %v: tensor<1x5x4xf32>) -> tensor<1x3x4xf32> {
  %a = cnn.constant dense<0.5> : tensor<f32>
  %b = cnn.constant dense<0.25> : tensor<f32>
  %kt = cnn.transpose %k {perm = array<i64: 0, 2, 1>} : (tensor<1x5x4xf32>) -> tensor<1x4x5xf32>
  %qs = cnn.mul %q, %a : (tensor<1x3x4xf32>, tensor<f32>) -> tensor<1x3x4xf32>
  %kts = cnn.mul %kt, %b : (tensor<1x4x5xf32>, tensor<f32>) -> tensor<1x4x5xf32>
  %s = cnn.matmul %qs, %kts : (tensor<1x3x4xf32>, tensor<1x4x5xf32>) -> tensor<1x3x5xf32>
  %p = cnn.softmax %s {axis = -1 : i64} : tensor<1x3x5xf32>
  %y = cnn.matmul %p, %v : (tensor<1x3x5xf32>, tensor<1x5x4xf32>) -> tensor<1x3x4xf32>
  return %y : tensor<1x3x4xf32>
}

// -----

// k scaled before its transpose, and the scores divided as well: 2 / 4.
// CHECK-LABEL: func.func @k_and_scores_scaled(
// CHECK-SAME: %[[Q:[^:]*]]: tensor<1x3x4xf32>, %[[K:[^:]*]]: tensor<1x5x4xf32>, %[[V:[^:]*]]: tensor<1x5x4xf32>
// CHECK-NEXT: %[[A:.*]] = cnn.attention %[[Q]], %[[K]], %[[V]] {num_heads = 1 : i64, scale = 5.000000e-01 : f32}
// CHECK-NEXT: return %[[A]]
func.func @k_and_scores_scaled(%q: tensor<1x3x4xf32>, %k: tensor<1x5x4xf32>, %v: tensor<1x5x4xf32>) -> tensor<1x3x4xf32> {
  %a = cnn.constant dense<2.0> : tensor<f32>
  %b = cnn.constant dense<4.0> : tensor<f32>
  %ks = cnn.mul %a, %k : (tensor<f32>, tensor<1x5x4xf32>) -> tensor<1x5x4xf32>
  %kt = cnn.transpose %ks {perm = array<i64: 0, 2, 1>} : (tensor<1x5x4xf32>) -> tensor<1x4x5xf32>
  %s = cnn.matmul %q, %kt : (tensor<1x3x4xf32>, tensor<1x4x5xf32>) -> tensor<1x3x5xf32>
  %ss = cnn.div %s, %b : (tensor<1x3x5xf32>, tensor<f32>) -> tensor<1x3x5xf32>
  %p = cnn.softmax %ss {axis = -1 : i64} : tensor<1x3x5xf32>
  %y = cnn.matmul %p, %v : (tensor<1x3x5xf32>, tensor<1x5x4xf32>) -> tensor<1x3x4xf32>
  return %y : tensor<1x3x4xf32>
}

// -----

// Not a match: no constant scaling anywhere, and q scaled by a non-uniform
// constant.
// CHECK-LABEL: func.func @unscaled(
// CHECK-NOT: cnn.attention
// CHECK: return
func.func @unscaled(%q: tensor<1x3x4xf32>, %k: tensor<1x5x4xf32>, %v: tensor<1x5x4xf32>) -> (tensor<1x3x4xf32>, tensor<1x3x4xf32>) {
  %c = cnn.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %kt = cnn.transpose %k {perm = array<i64: 0, 2, 1>} : (tensor<1x5x4xf32>) -> tensor<1x4x5xf32>
  %s = cnn.matmul %q, %kt : (tensor<1x3x4xf32>, tensor<1x4x5xf32>) -> tensor<1x3x5xf32>
  %p = cnn.softmax %s {axis = -1 : i64} : tensor<1x3x5xf32>
  %y = cnn.matmul %p, %v : (tensor<1x3x5xf32>, tensor<1x5x4xf32>) -> tensor<1x3x4xf32>
  %qs = cnn.mul %q, %c : (tensor<1x3x4xf32>, tensor<4xf32>) -> tensor<1x3x4xf32>
  %kt2 = cnn.transpose %k {perm = array<i64: 0, 2, 1>} : (tensor<1x5x4xf32>) -> tensor<1x4x5xf32>
  %s2 = cnn.matmul %qs, %kt2 : (tensor<1x3x4xf32>, tensor<1x4x5xf32>) -> tensor<1x3x5xf32>
  %p2 = cnn.softmax %s2 {axis = -1 : i64} : tensor<1x3x5xf32>
  %y2 = cnn.matmul %p2, %v : (tensor<1x3x5xf32>, tensor<1x5x4xf32>) -> tensor<1x3x4xf32>
  return %y, %y2 : tensor<1x3x4xf32>, tensor<1x3x4xf32>
}
