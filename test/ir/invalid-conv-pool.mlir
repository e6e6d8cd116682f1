// RUN: cnnc-opt %s -split-input-file -verify-diagnostics
// Every diagnostic of the conv2d, conv_transpose2d and pooling shape rules and
// verifiers. The ops carry no layer name (a NameLoc would hide the line that
// -verify-diagnostics matches), so messages read `<op>: <problem>`; the
// `<op> '<layer>': ` form is checked in layer-names.mlir. A failed shape rule
// is followed by the generic "failed to infer returned types".

func.func @conv_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{conv2d: input has 3 channels but the filters expect 2 (groups = 1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_grouped_channels(%x: tensor<1x6x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{conv2d: input has 6 channels but the filters expect 4 (groups = 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2} : (tensor<1x6x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_filters_groups(%x: tensor<1x4x8x8xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{conv2d: filter count 3 is not divisible by groups = 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2} : (tensor<1x4x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x6x6xf32>
  return
}

// -----

func.func @conv_groups_zero(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) {
  // expected-error @+1 {{conv2d: groups must be >= 1, got 0}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 0} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_too_small(%x: tensor<1x3x2x2xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{conv2d: the 3x3 kernel does not fit the 2x2 input with pads [0, 0, 0, 0]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x2x2xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x1x1xf32>
  return
}

// -----

func.func @conv_dilated_too_small(%x: tensor<1x3x4x4xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{conv2d: the 3x3 kernel (dilations [2, 2]) does not fit the 4x4 input with pads [0, 0, 0, 0]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 2>, groups = 1} : (tensor<1x3x4x4xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x1x1xf32>
  return
}

// -----

func.func @conv_strides_count(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{conv2d: strides must have 2 entries, got 1}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_strides_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{conv2d: strides must be >= 1, got [1, 0]}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 0>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_pads_count(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{conv2d: pads must have 4 entries, got 2}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @conv_pads_negative(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{conv2d: pads must be >= 0, got [0, -1, 0, 0]}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, -1, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x5xf32>
  return
}

// -----

func.func @conv_dilations(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{conv2d: dilations must be >= 1, got [0, 1]}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 0, 1>, groups = 1} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{conv2d: bias has shape [3] but the layer has 4 filters}}
  %0 = cnn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_dynamic(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{conv2d: input must be a tensor of static shape}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_dynamic_weight(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x?x3xf32>) {
  // expected-error @+2 {{conv2d: weight must be a tensor of static shape}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x8x8xf32>, tensor<4x3x?x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

// The result type written in the IR must be the inferred one.
func.func @conv_result_type(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'cnn.conv2d' op inferred type(s) 'tensor<1x4x6x6xf32>' are incompatible with return type(s) of operation 'tensor<1x4x8x8xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @convt_channels(%x: tensor<1x3x4x4xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{conv_transpose2d: input has 3 channels but the filters expect 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv_transpose2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x4x4xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x9x9xf32>
  return
}

// -----

func.func @convt_groups(%x: tensor<1x3x4x4xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{conv_transpose2d: input channel count 3 is not divisible by groups = 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv_transpose2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 2} : (tensor<1x3x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x4x9x9xf32>
  return
}

// -----

func.func @convt_output_padding_count(%x: tensor<1x3x4x4xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{conv_transpose2d: output_padding must have 2 entries, got 1}}
  %0 = cnn.conv_transpose2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x10x10xf32>
  return
}

// -----

func.func @convt_output_padding(%x: tensor<1x3x4x4xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{conv_transpose2d: output_padding [2, 0] must be smaller than the stride or the dilation}}
  %0 = cnn.conv_transpose2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 2, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x11x9xf32>
  return
}

// -----

func.func @convt_pads(%x: tensor<1x3x1x1xf32>, %w: tensor<3x2x1x1xf32>) {
  // expected-error @+2 {{conv_transpose2d: pads [1, 0, 0, 0] remove the whole 1x1 output}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv_transpose2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 0, 0, 0>, output_padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x1x1xf32>, tensor<3x2x1x1xf32>) -> tensor<1x2x1x1xf32>
  return
}

// -----

func.func @convt_bias(%x: tensor<1x3x4x4xf32>, %w: tensor<3x2x3x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{conv_transpose2d: bias has shape [3] but the layer has 2 filters}}
  %0 = cnn.conv_transpose2d %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x4x4xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x2x9x9xf32>
  return
}

// -----

func.func @convt_strides(%x: tensor<1x3x4x4xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{conv_transpose2d: strides must be >= 1, got [0, 0]}}
  %0 = cnn.conv_transpose2d %x, %w {strides = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x9x9xf32>
  return
}

// -----

func.func @maxpool_kernel(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{max_pool2d: kernel must have 2 entries, got 3}}
  %0 = cnn.max_pool2d %x {kernel = array<i64: 2, 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @maxpool_kernel_zero(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{max_pool2d: kernel must be >= 1, got [0, 2]}}
  %0 = cnn.max_pool2d %x {kernel = array<i64: 0, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @maxpool_dilations(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{max_pool2d: dilations must have 2 entries, got 0}}
  %0 = cnn.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64>, ceil_mode = false} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @maxpool_pads(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{max_pool2d: pads [0, 0, 0, 2] must be smaller than the window [2, 2]}}
  %0 = cnn.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 2>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x5xf32>
  return
}

// -----

func.func @maxpool_too_small(%x: tensor<1x3x2x8xf32>) {
  // expected-error @+2 {{max_pool2d: the 3x3 kernel does not fit the 2x8 input with pads [0, 0, 0, 0]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.max_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x3x2x8xf32>) -> tensor<1x3x1x6xf32>
  return
}

// -----

func.func @avgpool_pads(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{avg_pool2d: pads [3, 0, 0, 0] must be smaller than the window [3, 3]}}
  %0 = cnn.avg_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 3, 0, 0, 0>, ceil_mode = false, count_include_pad = false} : (tensor<1x3x8x8xf32>) -> tensor<1x3x9x6xf32>
  return
}

// -----

func.func @avgpool_strides(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{avg_pool2d: strides must have 2 entries, got 4}}
  %0 = cnn.avg_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1, 1, 1>, pads = array<i64: 0, 0, 0, 0>, ceil_mode = false, count_include_pad = false} : (tensor<1x3x8x8xf32>) -> tensor<1x3x6x6xf32>
  return
}

// -----

func.func @global_pool_dynamic(%x: tensor<1x3x?x8xf32>) {
  // expected-error @+2 {{global_avg_pool: input must be a tensor of static shape}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.global_avg_pool %x : (tensor<1x3x?x8xf32>) -> tensor<1x3x1x1xf32>
  return
}
