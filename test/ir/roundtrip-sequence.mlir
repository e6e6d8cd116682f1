// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s
// Round trip of the sequence ops, optional operands included.

// CHECK-LABEL: func.func @lstm
// CHECK: cnn.lstm %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} initial_h %{{.*}} initial_c %{{.*}} peepholes %{{.*}} {activations = ["Sigmoid", "Tanh", "Tanh", "Sigmoid", "Tanh", "Tanh"], clip = 3.000000e+00 : f32, direction = #cnn<rnn_direction bidirectional>, hidden_size = 4 : i64, layout = 0 : i64, sequence_lens = array<i64: 5, 3>} : ({{.*}}) -> (tensor<5x2x2x4xf32>, tensor<2x2x4xf32>, tensor<2x2x4xf32>)
func.func @lstm(%x: tensor<5x2x8xf32>, %w: tensor<2x16x8xf32>, %r: tensor<2x16x4xf32>, %b: tensor<2x32xf32>, %h: tensor<2x2x4xf32>, %c: tensor<2x2x4xf32>, %p: tensor<2x12xf32>) -> tensor<2x2x4xf32> {
  %y, %yh, %yc = cnn.lstm %x, %w, %r bias %b initial_h %h initial_c %c peepholes %p {hidden_size = 4 : i64, direction = #cnn<rnn_direction bidirectional>, activations = ["Sigmoid", "Tanh", "Tanh", "Sigmoid", "Tanh", "Tanh"], clip = 3.0 : f32, layout = 0 : i64, sequence_lens = array<i64: 5, 3>} : (tensor<5x2x8xf32>, tensor<2x16x8xf32>, tensor<2x16x4xf32>, tensor<2x32xf32>, tensor<2x2x4xf32>, tensor<2x2x4xf32>, tensor<2x12xf32>) -> (tensor<5x2x2x4xf32>, tensor<2x2x4xf32>, tensor<2x2x4xf32>)
  return %yc : tensor<2x2x4xf32>
}

// CHECK-LABEL: func.func @gru_rnn
// CHECK: cnn.gru %{{.*}}, %{{.*}}, %{{.*}} initial_h %{{.*}} {{{.*}}linear_before_reset = true{{.*}}} : ({{.*}}) -> (tensor<2x5x1x4xf32>, tensor<2x1x4xf32>)
// CHECK: cnn.rnn %{{.*}}, %{{.*}}, %{{.*}} {{{.*}}direction = #cnn<rnn_direction reverse>{{.*}}} : ({{.*}}) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
func.func @gru_rnn(%xb: tensor<2x5x8xf32>, %w: tensor<1x12x8xf32>, %r: tensor<1x12x4xf32>, %h: tensor<2x1x4xf32>, %x: tensor<5x2x8xf32>, %w1: tensor<1x4x8xf32>, %r1: tensor<1x4x4xf32>) -> (tensor<2x1x4xf32>, tensor<1x2x4xf32>) {
  %y, %yh = cnn.gru %xb, %w, %r initial_h %h {hidden_size = 4 : i64, direction = #cnn<rnn_direction forward>, activations = ["Sigmoid", "Tanh"], layout = 1 : i64, linear_before_reset = true} : (tensor<2x5x8xf32>, tensor<1x12x8xf32>, tensor<1x12x4xf32>, tensor<2x1x4xf32>) -> (tensor<2x5x1x4xf32>, tensor<2x1x4xf32>)
  %y1, %yh1 = cnn.rnn %x, %w1, %r1 {hidden_size = 4 : i64, direction = #cnn<rnn_direction reverse>, activations = ["Tanh"], layout = 0 : i64} : (tensor<5x2x8xf32>, tensor<1x4x8xf32>, tensor<1x4x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return %yh, %yh1 : tensor<2x1x4xf32>, tensor<1x2x4xf32>
}

// CHECK-LABEL: func.func @norm_attention
// CHECK: cnn.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {axis = -1 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<1x8x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<1x8x16xf32>
// CHECK: cnn.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {num_heads = 4 : i64} : (tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<8x8xf32>) -> tensor<1x8x16xf32>
// CHECK: cnn.attention %{{.*}}, %{{.*}}, %{{.*}} {scale = 5.000000e-01 : f32} : (tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x3xf32>) -> tensor<1x2x8x3xf32>
func.func @norm_attention(%x: tensor<1x8x16xf32>, %s: tensor<16xf32>, %m: tensor<8x8xf32>, %q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x4xf32>, %v: tensor<1x2x6x3xf32>) -> (tensor<1x8x16xf32>, tensor<1x2x8x3xf32>) {
  %0 = cnn.layer_norm %x, %s, %s {axis = -1 : i64, epsilon = 1.0e-5 : f32} : (tensor<1x8x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<1x8x16xf32>
  %1 = cnn.attention %0, %0, %0, %m {num_heads = 4 : i64} : (tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<8x8xf32>) -> tensor<1x8x16xf32>
  %2 = cnn.attention %q, %k, %v {scale = 0.5 : f32} : (tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x3xf32>) -> tensor<1x2x8x3xf32>
  return %1, %2 : tensor<1x8x16xf32>, tensor<1x2x8x3xf32>
}
