// RUN: cnnc-opt %s -split-input-file -verify-diagnostics
// Diagnostics of rnn, gru, lstm, layer_norm and attention (see
// invalid-conv-pool.mlir for the conventions). Each check is shared by the
// shape rule and the verifier; with explicit result types the verifier reports.

func.func @lstm_w(%x: tensor<5x2x64xf32>, %w: tensor<1x512x32xf32>, %r: tensor<1x512x128xf32>) {
  // expected-error @+1 {{lstm: W has shape [1, 512, 32] but hidden_size = 128 and input size 64 need [1, 512, 64]}}
  %y, %yh, %yc = cnn.lstm %x, %w, %r {hidden_size = 128 : i64, direction = #cnn<rnn_direction forward>, activations = ["Sigmoid", "Tanh", "Tanh"], layout = 0 : i64} : (tensor<5x2x64xf32>, tensor<1x512x32xf32>, tensor<1x512x128xf32>) -> (tensor<5x1x2x128xf32>, tensor<1x2x128xf32>, tensor<1x2x128xf32>)
  return
}

// -----

func.func @lstm_r(%x: tensor<5x2x8xf32>, %w: tensor<2x16x8xf32>, %r: tensor<1x16x4xf32>) {
  // expected-error @+1 {{lstm: R has shape [1, 16, 4] but hidden_size = 4 and 2 directions need [2, 16, 4]}}
  %y, %yh, %yc = cnn.lstm %x, %w, %r {hidden_size = 4 : i64, direction = #cnn<rnn_direction bidirectional>, activations = ["Sigmoid", "Tanh", "Tanh", "Sigmoid", "Tanh", "Tanh"], layout = 0 : i64} : (tensor<5x2x8xf32>, tensor<2x16x8xf32>, tensor<1x16x4xf32>) -> (tensor<5x2x2x4xf32>, tensor<2x2x4xf32>, tensor<2x2x4xf32>)
  return
}

// -----

func.func @gru_bias(%x: tensor<5x2x8xf32>, %w: tensor<1x12x8xf32>, %r: tensor<1x12x4xf32>, %b: tensor<1x12xf32>) {
  // expected-error @+1 {{gru: B has shape [1, 12] but hidden_size = 4 and 1 direction need [1, 24]}}
  %y, %yh = cnn.gru %x, %w, %r bias %b {hidden_size = 4 : i64, direction = #cnn<rnn_direction forward>, activations = ["Sigmoid", "Tanh"], layout = 0 : i64, linear_before_reset = false} : (tensor<5x2x8xf32>, tensor<1x12x8xf32>, tensor<1x12x4xf32>, tensor<1x12xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @rnn_initial_h(%x: tensor<2x5x8xf32>, %w: tensor<1x4x8xf32>, %r: tensor<1x4x4xf32>, %h: tensor<1x2x4xf32>) {
  // expected-error @+1 {{rnn: initial_h has shape [1, 2, 4] but batch 2 and hidden_size = 4 need [2, 1, 4]}}
  %y, %yh = cnn.rnn %x, %w, %r initial_h %h {hidden_size = 4 : i64, direction = #cnn<rnn_direction forward>, activations = ["Tanh"], layout = 1 : i64} : (tensor<2x5x8xf32>, tensor<1x4x8xf32>, tensor<1x4x4xf32>, tensor<1x2x4xf32>) -> (tensor<2x5x1x4xf32>, tensor<2x1x4xf32>)
  return
}

// -----

func.func @lstm_initial_c(%x: tensor<5x2x8xf32>, %w: tensor<1x16x8xf32>, %r: tensor<1x16x4xf32>, %c: tensor<1x3x4xf32>) {
  // expected-error @+1 {{lstm: initial_c has shape [1, 3, 4] but batch 2 and hidden_size = 4 need [1, 2, 4]}}
  %y, %yh, %yc = cnn.lstm %x, %w, %r initial_c %c {hidden_size = 4 : i64, direction = #cnn<rnn_direction forward>, activations = ["Sigmoid", "Tanh", "Tanh"], layout = 0 : i64} : (tensor<5x2x8xf32>, tensor<1x16x8xf32>, tensor<1x16x4xf32>, tensor<1x3x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @lstm_peepholes(%x: tensor<5x2x8xf32>, %w: tensor<1x16x8xf32>, %r: tensor<1x16x4xf32>, %p: tensor<1x16xf32>) {
  // expected-error @+1 {{lstm: P has shape [1, 16] but hidden_size = 4 and 1 direction need [1, 12]}}
  %y, %yh, %yc = cnn.lstm %x, %w, %r peepholes %p {hidden_size = 4 : i64, direction = #cnn<rnn_direction forward>, activations = ["Sigmoid", "Tanh", "Tanh"], layout = 0 : i64} : (tensor<5x2x8xf32>, tensor<1x16x8xf32>, tensor<1x16x4xf32>, tensor<1x16xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @rnn_x_rank(%x: tensor<5x8xf32>, %w: tensor<1x4x8xf32>, %r: tensor<1x4x4xf32>) {
  // expected-error @+1 {{rnn: X has shape [5, 8] but must be 3-D [seq, batch, input]}}
  %y, %yh = cnn.rnn %x, %w, %r {hidden_size = 4 : i64, direction = #cnn<rnn_direction forward>, activations = ["Tanh"], layout = 0 : i64} : (tensor<5x8xf32>, tensor<1x4x8xf32>, tensor<1x4x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @rnn_hidden(%x: tensor<5x2x8xf32>, %w: tensor<1x4x8xf32>, %r: tensor<1x4x4xf32>) {
  // expected-error @+1 {{rnn: hidden_size must be >= 1, got 0}}
  %y, %yh = cnn.rnn %x, %w, %r {hidden_size = 0 : i64, direction = #cnn<rnn_direction forward>, activations = ["Tanh"], layout = 0 : i64} : (tensor<5x2x8xf32>, tensor<1x4x8xf32>, tensor<1x4x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @rnn_layout(%x: tensor<5x2x8xf32>, %w: tensor<1x4x8xf32>, %r: tensor<1x4x4xf32>) {
  // expected-error @+1 {{rnn: layout must be 0 or 1, got 2}}
  %y, %yh = cnn.rnn %x, %w, %r {hidden_size = 4 : i64, direction = #cnn<rnn_direction forward>, activations = ["Tanh"], layout = 2 : i64} : (tensor<5x2x8xf32>, tensor<1x4x8xf32>, tensor<1x4x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @gru_activation_count(%x: tensor<5x2x8xf32>, %w: tensor<2x12x8xf32>, %r: tensor<2x12x4xf32>) {
  // expected-error @+1 {{gru: activations has 2 entries but the bidirectional direction needs 4}}
  %y, %yh = cnn.gru %x, %w, %r {hidden_size = 4 : i64, direction = #cnn<rnn_direction bidirectional>, activations = ["Sigmoid", "Tanh"], layout = 0 : i64, linear_before_reset = false} : (tensor<5x2x8xf32>, tensor<2x12x8xf32>, tensor<2x12x4xf32>) -> (tensor<5x2x2x4xf32>, tensor<2x2x4xf32>)
  return
}

// -----

func.func @gru_activation_name(%x: tensor<5x2x8xf32>, %w: tensor<1x12x8xf32>, %r: tensor<1x12x4xf32>) {
  // expected-error @+1 {{gru: unknown activation 'Gelu'; expected one of Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, Softplus}}
  %y, %yh = cnn.gru %x, %w, %r {hidden_size = 4 : i64, direction = #cnn<rnn_direction forward>, activations = ["Sigmoid", "Gelu"], layout = 0 : i64, linear_before_reset = false} : (tensor<5x2x8xf32>, tensor<1x12x8xf32>, tensor<1x12x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @gru_activation_alpha_count(%x: tensor<5x2x8xf32>, %w: tensor<1x12x8xf32>, %r: tensor<1x12x4xf32>) {
  // expected-error @+1 {{gru: activation_alpha has 1 entries but activations has 2 (one per activation)}}
  %y, %yh = cnn.gru %x, %w, %r {hidden_size = 4 : i64, direction = #cnn<rnn_direction forward>, activations = ["LeakyRelu", "Tanh"], activation_alpha = array<f32: 0.1>, layout = 0 : i64, linear_before_reset = false} : (tensor<5x2x8xf32>, tensor<1x12x8xf32>, tensor<1x12x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @lstm_activation_beta_count(%x: tensor<5x2x8xf32>, %w: tensor<1x16x8xf32>, %r: tensor<1x16x4xf32>) {
  // expected-error @+1 {{lstm: activation_beta has 4 entries but activations has 3 (one per activation)}}
  %y, %yh, %yc = cnn.lstm %x, %w, %r {hidden_size = 4 : i64, direction = #cnn<rnn_direction forward>, activations = ["HardSigmoid", "ScaledTanh", "Affine"], activation_alpha = array<f32: 0.3, 2.0, 0.5>, activation_beta = array<f32: 0.4, 0.5, 0.1, 9.0>, layout = 0 : i64} : (tensor<5x2x8xf32>, tensor<1x16x8xf32>, tensor<1x16x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @rnn_clip(%x: tensor<5x2x8xf32>, %w: tensor<1x4x8xf32>, %r: tensor<1x4x4xf32>) {
  // expected-error @+1 {{rnn: clip must be positive, got -1.000000}}
  %y, %yh = cnn.rnn %x, %w, %r {hidden_size = 4 : i64, direction = #cnn<rnn_direction forward>, activations = ["Tanh"], layout = 0 : i64, clip = -1.0 : f32} : (tensor<5x2x8xf32>, tensor<1x4x8xf32>, tensor<1x4x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @rnn_lens_count(%x: tensor<5x2x8xf32>, %w: tensor<1x4x8xf32>, %r: tensor<1x4x4xf32>) {
  // expected-error @+1 {{rnn: sequence_lens has 3 entries but the batch is 2}}
  %y, %yh = cnn.rnn %x, %w, %r {hidden_size = 4 : i64, direction = #cnn<rnn_direction forward>, activations = ["Tanh"], layout = 0 : i64, sequence_lens = array<i64: 1, 2, 3>} : (tensor<5x2x8xf32>, tensor<1x4x8xf32>, tensor<1x4x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @rnn_lens_range(%x: tensor<5x2x8xf32>, %w: tensor<1x4x8xf32>, %r: tensor<1x4x4xf32>) {
  // expected-error @+1 {{rnn: sequence_lens[1] = 6 is outside [1, 5]}}
  %y, %yh = cnn.rnn %x, %w, %r {hidden_size = 4 : i64, direction = #cnn<rnn_direction forward>, activations = ["Tanh"], layout = 0 : i64, sequence_lens = array<i64: 5, 6>} : (tensor<5x2x8xf32>, tensor<1x4x8xf32>, tensor<1x4x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @layer_norm_axis(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{layer_norm: axis 3 is out of range for rank 3}}
  %0 = cnn.layer_norm %x, %s {axis = 3 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @layer_norm_scale(%x: tensor<2x3x4xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{layer_norm: scale has shape [3], which does not broadcast to the normalised shape [4] (axis 2)}}
  %0 = cnn.layer_norm %x, %s {axis = -1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x3x4xf32>, tensor<3xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @layer_norm_bias(%x: tensor<2x3x4xf32>, %s: tensor<3x4xf32>, %b: tensor<2x3x4xf32>) {
  // expected-error @+1 {{layer_norm: bias has shape [2, 3, 4], which does not broadcast to the normalised shape [3, 4] (axis 1)}}
  %0 = cnn.layer_norm %x, %s, %b {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x3x4xf32>, tensor<3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @layer_norm_epsilon(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{layer_norm: epsilon must be >= 0}}
  %0 = cnn.layer_norm %x, %s {axis = -1 : i64, epsilon = -1.0 : f32} : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @attention_rank(%q: tensor<8x16xf32>) {
  // expected-error @+1 {{attention: q has shape [8, 16] but must be 3-D [batch, seq, heads*dim] or 4-D [batch, heads, seq, dim]}}
  %0 = cnn.attention %q, %q, %q : (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  return
}

// -----

func.func @attention_num_heads_missing(%q: tensor<1x8x16xf32>) {
  // expected-error @+1 {{attention: 3-D operands need num_heads}}
  %0 = cnn.attention %q, %q, %q : (tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>) -> tensor<1x8x16xf32>
  return
}

// -----

func.func @attention_num_heads_value(%q: tensor<1x8x16xf32>) {
  // expected-error @+1 {{attention: num_heads must be >= 1, got 0}}
  %0 = cnn.attention %q, %q, %q {num_heads = 0 : i64} : (tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>) -> tensor<1x8x16xf32>
  return
}

// -----

func.func @attention_num_heads_4d(%q: tensor<1x2x8x4xf32>) {
  // expected-error @+1 {{attention: num_heads = 4 but q has 2 heads}}
  %0 = cnn.attention %q, %q, %q {num_heads = 4 : i64} : (tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>) -> tensor<1x2x8x4xf32>
  return
}

// -----

func.func @attention_heads_divide(%q: tensor<1x8x16xf32>, %k: tensor<1x8x18xf32>) {
  // expected-error @+1 {{attention: k has 18 features, which num_heads = 4 does not divide}}
  %0 = cnn.attention %q, %k, %q {num_heads = 4 : i64} : (tensor<1x8x16xf32>, tensor<1x8x18xf32>, tensor<1x8x16xf32>) -> tensor<1x8x16xf32>
  return
}

// -----

func.func @attention_k_rank(%q: tensor<1x2x8x4xf32>, %k: tensor<1x8x8xf32>) {
  // expected-error @+1 {{attention: k has shape [1, 8, 8] but must be 4-D [batch, heads, seq, dim] like q}}
  %0 = cnn.attention %q, %k, %q : (tensor<1x2x8x4xf32>, tensor<1x8x8xf32>, tensor<1x2x8x4xf32>) -> tensor<1x2x8x4xf32>
  return
}

// -----

func.func @attention_k_dim(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x5xf32>) {
  // expected-error @+1 {{attention: k has batch 1, 2 heads of dim 5 but q has batch 1, 2 heads of dim 4}}
  %0 = cnn.attention %q, %k, %k : (tensor<1x2x8x4xf32>, tensor<1x2x6x5xf32>, tensor<1x2x6x5xf32>) -> tensor<1x2x8x5xf32>
  return
}

// -----

func.func @attention_v_seq(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x4xf32>, %v: tensor<1x2x7x4xf32>) {
  // expected-error @+1 {{attention: v has batch 1, 2 heads and 7 positions but k has batch 1, 2 heads and 6 positions}}
  %0 = cnn.attention %q, %k, %v : (tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x7x4xf32>) -> tensor<1x2x8x4xf32>
  return
}

// -----

func.func @attention_mask(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x4xf32>, %m: tensor<8x8xf32>) {
  // expected-error @+1 {{attention: mask of shape [8, 8] does not broadcast to the scores [1, 2, 8, 6]}}
  %0 = cnn.attention %q, %k, %k, %m : (tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x4xf32>, tensor<8x8xf32>) -> tensor<1x2x8x4xf32>
  return
}

// -----

func.func @attention_scale(%q: tensor<1x2x8x4xf32>) {
  // expected-error @+1 {{attention: scale must be finite and nonzero}}
  %0 = cnn.attention %q, %q, %q {scale = 0.0 : f32} : (tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>) -> tensor<1x2x8x4xf32>
  return
}
