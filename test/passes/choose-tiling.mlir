// RUN: cnnc-opt %s -split-input-file --cnn-choose-tiling | FileCheck %s
// RUN: cnnc-opt %s -split-input-file --cnn-choose-tiling="vector-width=8 accumulators=12" | FileCheck %s --check-prefix=AVX2
// RUN: cnnc-opt %s -split-input-file --cnn-choose-tiling="winograd=false" | FileCheck %s --check-prefix=NOWINO
// RUN: cnnc-opt %s -split-input-file --cnn-choose-tiling="l2-kib=1024" | FileCheck %s --check-prefix=L2SMALL

// A table of the tiling model (passes/Tiling.h, documented in Passes.td):
// each function holds one op, its cnn.tiling checked in full.

// ResNet conv2_x: 3x3 s1 64 -> 64 at 56x56. 4 channel blocks: 2 blocks x 8
// columns = 16 accumulators; all 64 input channels fit the cache tile. AVX2
// (8 lanes, 12 accumulator registers): the same 16-channel blocks, each two
// registers, so 1 block x 6 columns.
// CHECK-LABEL: func.func @resnet_3x3(
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 1 : i64, gemm = false, ic_block = 64 : i64, kx_inner = true, layout = "nchw16c", oc_block = 16 : i64, parallel = true, phases = 1 : i64, tile_oc = 2 : i64, tile_x = 8 : i64, tile_y = 1 : i64, unroll_kx = true, vector = 16 : i64}
// AVX2-LABEL: func.func @resnet_3x3(
// AVX2: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 1 : i64, gemm = false, ic_block = 64 : i64, kx_inner = true, layout = "nchw16c", oc_block = 16 : i64, parallel = true, phases = 1 : i64, tile_oc = 1 : i64, tile_x = 6 : i64, tile_y = 1 : i64, unroll_kx = true, vector = 16 : i64}
func.func @resnet_3x3(%x: tensor<1x64x56x56xf32>, %w: tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  return %0 : tensor<1x64x56x56xf32>
}

// -----

// 3x3 stride 2, 64 -> 128, 56 -> 28: 4 input phases; 28 columns in 4
// balanced tiles of 7 (4 of 8 would compute 4 columns twice).
// CHECK-LABEL: func.func @stride2(
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 1 : i64, gemm = false, ic_block = 64 : i64, kx_inner = true, layout = "nchw16c", oc_block = 16 : i64, parallel = true, phases = 4 : i64, tile_oc = 2 : i64, tile_x = 7 : i64, tile_y = 1 : i64, unroll_kx = true, vector = 16 : i64}
func.func @stride2(%x: tensor<1x64x56x56xf32>, %w: tensor<128x64x3x3xf32>) -> tensor<1x128x28x28xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x64x56x56xf32>, tensor<128x64x3x3xf32>) -> tensor<1x128x28x28xf32>
  return %0 : tensor<1x128x28x28xf32>
}

// -----

// ResNet stem: 7x7 stride 2, 3 -> 64, 224 -> 112. ic_block is all 3 channels.
// CHECK-LABEL: func.func @stem(
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 1 : i64, gemm = false, ic_block = 3 : i64, kx_inner = true, layout = "nchw16c", oc_block = 16 : i64, parallel = true, phases = 4 : i64, tile_oc = 2 : i64, tile_x = 8 : i64, tile_y = 1 : i64, unroll_kx = true, vector = 16 : i64}
func.func @stem(%x: tensor<1x3x224x224xf32>, %w: tensor<64x3x7x7xf32>) -> tensor<1x64x112x112xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 3, 3, 3, 3>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>) -> tensor<1x64x112x112xf32>
  return %0 : tensor<1x64x112x112xf32>
}

// -----

// 1x1 stride 1, 256 -> 64: GEMM-shaped, tiles of 8 columns along each row.
// CHECK-LABEL: func.func @pointwise(
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 1 : i64, gemm = true, ic_block = 256 : i64, layout = "nchw16c", oc_block = 16 : i64, parallel = true, phases = 1 : i64, tile_oc = 2 : i64, tile_x = 8 : i64, tile_y = 1 : i64, unroll_kx = false, vector = 16 : i64}
func.func @pointwise(%x: tensor<1x256x56x56xf32>, %w: tensor<64x256x1x1xf32>) -> tensor<1x64x56x56xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x256x56x56xf32>, tensor<64x256x1x1xf32>) -> tensor<1x64x56x56xf32>
  return %0 : tensor<1x64x56x56xf32>
}

// -----

// 1x1 at 7x7: one tile of 7 per row.
// CHECK-LABEL: func.func @pointwise_7x7(
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 1 : i64, gemm = true, ic_block = 960 : i64, layout = "nchw16c", oc_block = 16 : i64, parallel = true, phases = 1 : i64, tile_oc = 2 : i64, tile_x = 7 : i64, tile_y = 1 : i64, unroll_kx = false, vector = 16 : i64}
func.func @pointwise_7x7(%x: tensor<1x960x7x7xf32>, %w: tensor<320x960x1x1xf32>) -> tensor<1x320x7x7xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x960x7x7xf32>, tensor<320x960x1x1xf32>) -> tensor<1x320x7x7xf32>
  return %0 : tensor<1x320x7x7xf32>
}

// -----

// 1x1 at 14x14: two tiles of 7 per row, not two of 8 computing 16 columns
// (tiles run along real rows, not across them).
// CHECK-LABEL: func.func @pointwise_14x14(
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 1 : i64, gemm = true, ic_block = 96 : i64, layout = "nchw16c", oc_block = 16 : i64, parallel = true, phases = 1 : i64, tile_oc = 2 : i64, tile_x = 7 : i64, tile_y = 1 : i64, unroll_kx = false, vector = 16 : i64}
func.func @pointwise_14x14(%x: tensor<1x96x14x14xf32>, %w: tensor<576x96x1x1xf32>) -> tensor<1x576x14x14xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x96x14x14xf32>, tensor<576x96x1x1xf32>) -> tensor<1x576x14x14xf32>
  return %0 : tensor<1x576x14x14xf32>
}

// -----

// 1x1 at 4x4: 4 columns x 2 rows x 2 blocks per tile.
// CHECK-LABEL: func.func @pointwise_4x4(
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 1 : i64, gemm = true, ic_block = 64 : i64, layout = "nchw16c", oc_block = 16 : i64, parallel = false, phases = 1 : i64, tile_oc = 2 : i64, tile_x = 4 : i64, tile_y = 2 : i64, unroll_kx = false, vector = 16 : i64}
func.func @pointwise_4x4(%x: tensor<1x64x4x4xf32>, %w: tensor<64x64x1x1xf32>) -> tensor<1x64x4x4xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x64x4x4xf32>, tensor<64x64x1x1xf32>) -> tensor<1x64x4x4xf32>
  return %0 : tensor<1x64x4x4xf32>
}

// -----

// 1x1 at 2x2, 4096 -> 32: one register tile (2 x 2 pixels x 2 blocks) is
// the whole output, one task: not parallel despite its 2^19 multiply-adds.
// CHECK-LABEL: func.func @pointwise_one_task(
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 1 : i64, gemm = true, ic_block = 4096 : i64, layout = "nchw16c", oc_block = 16 : i64, parallel = false, phases = 1 : i64, tile_oc = 2 : i64, tile_x = 2 : i64, tile_y = 2 : i64, unroll_kx = false, vector = 16 : i64}
func.func @pointwise_one_task(%x: tensor<1x4096x2x2xf32>, %w: tensor<32x4096x1x1xf32>) -> tensor<1x32x2x2xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x4096x2x2xf32>, tensor<32x4096x1x1xf32>) -> tensor<1x32x2x2xf32>
  return %0 : tensor<1x32x2x2xf32>
}

// -----

// 1x1 stride 2 (ResNet downsample): not a GEMM over contiguous pixels.
// CHECK-LABEL: func.func @pointwise_s2(
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 1 : i64, gemm = false, ic_block = 64 : i64, layout = "nchw16c", oc_block = 16 : i64, parallel = true, phases = 4 : i64, tile_oc = 2 : i64, tile_x = 7 : i64, tile_y = 1 : i64, unroll_kx = false, vector = 16 : i64}
func.func @pointwise_s2(%x: tensor<1x64x56x56xf32>, %w: tensor<128x64x1x1xf32>) -> tensor<1x128x28x28xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x64x56x56xf32>, tensor<128x64x1x1xf32>) -> tensor<1x128x28x28xf32>
  return %0 : tensor<1x128x28x28xf32>
}

// -----

// Depthwise 3x3, 32 channels at 112x112 (MobileNetV2): blocked over channels,
// one input channel per output channel.
// CHECK-LABEL: func.func @depthwise(
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = true, dilation_phases = 1 : i64, gemm = false, ic_block = 1 : i64, layout = "nchw16c", oc_block = 16 : i64, parallel = true, phases = 1 : i64, tile_oc = 2 : i64, tile_x = 8 : i64, tile_y = 1 : i64, unroll_kx = true, vector = 16 : i64}
func.func @depthwise(%x: tensor<1x32x112x112xf32>, %w: tensor<32x1x3x3xf32>) -> tensor<1x32x112x112xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 32} : (tensor<1x32x112x112xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x112x112xf32>
  return %0 : tensor<1x32x112x112xf32>
}

// -----

// Dilated 3x3, dilation 2 and 4, 64 -> 64 at 32x32.
// CHECK-LABEL: func.func @dilated(
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 4 : i64, gemm = false, ic_block = 64 : i64, kx_inner = true, layout = "nchw16c", oc_block = 16 : i64, parallel = true, phases = 1 : i64, tile_oc = 2 : i64, tile_x = 8 : i64, tile_y = 1 : i64, unroll_kx = true, vector = 16 : i64}
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 16 : i64, gemm = false, ic_block = 64 : i64, kx_inner = true, layout = "nchw16c", oc_block = 16 : i64, parallel = true, phases = 1 : i64, tile_oc = 2 : i64, tile_x = 8 : i64, tile_y = 1 : i64, unroll_kx = true, vector = 16 : i64}
func.func @dilated(%x: tensor<1x64x32x32xf32>, %w: tensor<64x64x3x3xf32>) -> tensor<1x64x32x32xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 2, 2, 2, 2>, dilations = array<i64: 2, 2>, groups = 1} : (tensor<1x64x32x32xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x32x32xf32>
  %1 = cnn.conv2d %0, %w {strides = array<i64: 1, 1>, pads = array<i64: 4, 4, 4, 4>, dilations = array<i64: 4, 4>, groups = 1} : (tensor<1x64x32x32xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x32x32xf32>
  return %1 : tensor<1x64x32x32xf32>
}

// -----

// DCGAN conv_transpose 4x4 stride 2 pad 1, 512 -> 256, 4x4 -> 8x8: 4 output
// phases of 4x4, so 2 blocks x 4 columns x 2 rows. Its 8 MiB of weights
// stream from beyond L2: no kx_inner.
// CHECK-LABEL: func.func @deconv(
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 1 : i64, gemm = false, ic_block = 512 : i64, layout = "nchw16c", oc_block = 16 : i64, parallel = true, phases = 4 : i64, tile_oc = 2 : i64, tile_x = 4 : i64, tile_y = 2 : i64, unroll_kx = true, vector = 16 : i64}
func.func @deconv(%x: tensor<1x512x4x4xf32>, %w: tensor<512x256x4x4xf32>) -> tensor<1x256x8x8xf32> {
  %0 = cnn.conv_transpose2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x512x4x4xf32>, tensor<512x256x4x4xf32>) -> tensor<1x256x8x8xf32>
  return %0 : tensor<1x256x8x8xf32>
}

// -----

// DCGAN's main.9, 128 -> 64, 16x16 -> 32x32: 512 KiB of weights fit L2, so
// each phase's 2 kx taps run inside the input channels (kx_inner).
// CHECK-LABEL: func.func @deconv_l2(
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 1 : i64, gemm = false, ic_block = 128 : i64, kx_inner = true, layout = "nchw16c", oc_block = 16 : i64, parallel = true, phases = 4 : i64, tile_oc = 2 : i64, tile_x = 8 : i64, tile_y = 1 : i64, unroll_kx = true, vector = 16 : i64}
func.func @deconv_l2(%x: tensor<1x128x16x16xf32>, %w: tensor<128x64x4x4xf32>) -> tensor<1x64x32x32xf32> {
  %0 = cnn.conv_transpose2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x128x16x16xf32>, tensor<128x64x4x4xf32>) -> tensor<1x64x32x32xf32>
  return %0 : tensor<1x64x32x32xf32>
}

// -----

// kx_inner given by hand where the pass would not choose it (the conv of
// @stride2_streamed below) is kept, as any given key.
// CHECK-LABEL: func.func @stride2_kx_inner_given(
// CHECK: cnn.tiling = {{{.*}}kx_inner = true{{.*}}}
func.func @stride2_kx_inner_given(%x: tensor<1x256x14x14xf32>, %w: tensor<512x256x3x3xf32>) -> tensor<1x512x7x7xf32> {
  %0 = cnn.conv2d %x, %w {cnn.tiling = {kx_inner = true}, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x256x14x14xf32>, tensor<512x256x3x3xf32>) -> tensor<1x512x7x7xf32>
  return %0 : tensor<1x512x7x7xf32>
}

// -----

// A conv_transpose2d of a 1x1 input (a GAN generator's first layer): only
// tap (o + pad) reaches output o, so it runs as 4 x 4 phases of one tap
// each (subPixelStride, as codegen decomposes it): no kx loop to unroll or
// move inside the channels.
// CHECK-LABEL: func.func @deconv_one_pixel(
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 1 : i64, gemm = false, ic_block = 64 : i64, layout = "nchw16c", oc_block = 16 : i64, parallel = false, phases = 16 : i64, tile_oc = 2 : i64, tile_x = 1 : i64, tile_y = 1 : i64, unroll_kx = false, vector = 16 : i64}
func.func @deconv_one_pixel(%x: tensor<1x64x1x1xf32>, %w: tensor<64x32x4x4xf32>) -> tensor<1x32x4x4xf32> {
  %0 = cnn.conv_transpose2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x64x1x1xf32>, tensor<64x32x4x4xf32>) -> tensor<1x32x4x4xf32>
  return %0 : tensor<1x32x4x4xf32>
}

// -----

// Kernel 8, stride 4: phases of 2 x 2 taps, so the phase's two columns are
// unrolled and run inside the channels, though the kernel is 8 wide.
// CHECK-LABEL: func.func @deconv_k8_s4(
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 1 : i64, gemm = false, ic_block = 64 : i64, kx_inner = true, layout = "nchw16c", oc_block = 16 : i64, parallel = true, phases = 16 : i64, tile_oc = 2 : i64, tile_x = 8 : i64, tile_y = 1 : i64, unroll_kx = true, vector = 16 : i64}
func.func @deconv_k8_s4(%x: tensor<1x64x8x8xf32>, %w: tensor<64x32x8x8xf32>) -> tensor<1x32x32x32xf32> {
  %0 = cnn.conv_transpose2d %x, %w {strides = array<i64: 4, 4>, pads = array<i64: 2, 2, 2, 2>, output_padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x64x8x8xf32>, tensor<64x32x8x8xf32>) -> tensor<1x32x32x32xf32>
  return %0 : tensor<1x32x32x32xf32>
}

// -----

// A 1-pixel input along one axis only: 4 row phases of one tap, 2 column
// phases of 2 taps (8 phases), so the columns are unrolled and inside.
// CHECK-LABEL: func.func @deconv_one_row(
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 1 : i64, gemm = false, ic_block = 64 : i64, kx_inner = true, layout = "nchw16c", oc_block = 16 : i64, parallel = true, phases = 8 : i64, tile_oc = 2 : i64, tile_x = 8 : i64, tile_y = 1 : i64, unroll_kx = true, vector = 16 : i64}
func.func @deconv_one_row(%x: tensor<1x64x1x8xf32>, %w: tensor<64x32x4x4xf32>) -> tensor<1x32x4x16xf32> {
  %0 = cnn.conv_transpose2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 1, 0, 1>, output_padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x64x1x8xf32>, tensor<64x32x4x4xf32>) -> tensor<1x32x4x16xf32>
  return %0 : tensor<1x32x4x16xf32>
}

// -----

// A dilated transposed conv is gathered, not split into sub-pixel phases:
// phases is the strides' product and kx_inner (a sub-pixel schedule) is
// not chosen.
// CHECK-LABEL: func.func @deconv_dilated(
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 4 : i64, gemm = false, ic_block = 64 : i64, layout = "nchw16c", oc_block = 16 : i64, parallel = true, phases = 4 : i64, tile_oc = 2 : i64, tile_x = 5 : i64, tile_y = 1 : i64, unroll_kx = true, vector = 16 : i64}
func.func @deconv_dilated(%x: tensor<1x64x8x8xf32>, %w: tensor<64x32x3x3xf32>) -> tensor<1x32x19x19xf32> {
  %0 = cnn.conv_transpose2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>, dilations = array<i64: 2, 2>, groups = 1} : (tensor<1x64x8x8xf32>, tensor<64x32x3x3xf32>) -> tensor<1x32x19x19xf32>
  return %0 : tensor<1x32x19x19xf32>
}

// -----

// kx_inner = false given where the pass would choose true (@deconv_l2) is
// kept.
// CHECK-LABEL: func.func @deconv_kx_inner_off(
// CHECK: cnn.tiling = {{{.*}}kx_inner = false{{.*}}}
func.func @deconv_kx_inner_off(%x: tensor<1x128x16x16xf32>, %w: tensor<128x64x4x4xf32>) -> tensor<1x64x32x32xf32> {
  %0 = cnn.conv_transpose2d %x, %w {cnn.tiling = {kx_inner = false}, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x128x16x16xf32>, tensor<128x64x4x4xf32>) -> tensor<1x64x32x32xf32>
  return %0 : tensor<1x64x32x32xf32>
}

// -----

// ResNet layer4's stride-2 conv, 256 -> 512, 14 -> 7: 4.5 MiB of weights
// outgrow L2 (l2-kib, default 2048): kx outside the channels, as the
// streamed weights ran 4-6% faster that way.
// CHECK-LABEL: func.func @stride2_streamed(
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 1 : i64, gemm = false, ic_block = 256 : i64, layout = "nchw16c", oc_block = 16 : i64, parallel = true, phases = 4 : i64, tile_oc = 2 : i64, tile_x = 7 : i64, tile_y = 1 : i64, unroll_kx = true, vector = 16 : i64}
func.func @stride2_streamed(%x: tensor<1x256x14x14xf32>, %w: tensor<512x256x3x3xf32>) -> tensor<1x512x7x7xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x256x14x14xf32>, tensor<512x256x3x3xf32>) -> tensor<1x512x7x7xf32>
  return %0 : tensor<1x512x7x7xf32>
}

// -----

// ResNet layer4: 3x3 512 -> 512 at 7x7 (direct): 2 blocks x the 7 columns
// x 1 row (4 x 2 pixels would compute 64 for 49). The oc tile's weights
// for all 512 input channels (32 x 512 x 9 x 4 B = 576 KiB) fit half the
// L2: one cache tile. Its 9 MiB of weights stream: no kx_inner.
// CHECK-LABEL: func.func @narrow(
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 1 : i64, gemm = false, ic_block = 512 : i64, layout = "nchw16c", oc_block = 16 : i64, parallel = true, phases = 1 : i64, tile_oc = 2 : i64, tile_x = 7 : i64, tile_y = 1 : i64, unroll_kx = true, vector = 16 : i64}
func.func @narrow(%x: tensor<1x512x7x7xf32>, %w: tensor<512x512x3x3xf32>) -> tensor<1x512x7x7xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x512x7x7xf32>, tensor<512x512x3x3xf32>) -> tensor<1x512x7x7xf32>
  return %0 : tensor<1x512x7x7xf32>
}

// -----

// 17 columns: the fewest tiles of at most 8 (3), each 6 wide: 18 columns
// computed, not 24.
// CHECK-LABEL: func.func @ragged(
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 1 : i64, gemm = false, ic_block = 64 : i64, kx_inner = true, layout = "nchw16c", oc_block = 16 : i64, parallel = true, phases = 1 : i64, tile_oc = 2 : i64, tile_x = 6 : i64, tile_y = 1 : i64, unroll_kx = true, vector = 16 : i64}
func.func @ragged(%x: tensor<1x64x17x17xf32>, %w: tensor<64x64x3x3xf32>) -> tensor<1x64x17x17xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x64x17x17xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x17x17xf32>
  return %0 : tensor<1x64x17x17xf32>
}

// -----

// Only 16 output channels: one block x 16 columns.
// CHECK-LABEL: func.func @one_block(
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 1 : i64, gemm = false, ic_block = 3 : i64, kx_inner = true, layout = "nchw16c", oc_block = 16 : i64, parallel = true, phases = 1 : i64, tile_oc = 1 : i64, tile_x = 16 : i64, tile_y = 1 : i64, unroll_kx = true, vector = 16 : i64}
func.func @one_block(%x: tensor<1x3x32x32xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<1x16x32x32xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x32x32xf32>
  return %0 : tensor<1x16x32x32xf32>
}

// -----

// A 1x1-spatial output (pixels cannot fill the tile): more channel blocks.
// CHECK-LABEL: func.func @one_pixel(
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 1 : i64, gemm = true, ic_block = 512 : i64, layout = "nchw16c", oc_block = 16 : i64, parallel = true, phases = 1 : i64, tile_oc = 4 : i64, tile_x = 1 : i64, tile_y = 1 : i64, unroll_kx = false, vector = 16 : i64}
func.func @one_pixel(%x: tensor<1x512x1x1xf32>, %w: tensor<512x512x1x1xf32>) -> tensor<1x512x1x1xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x512x1x1xf32>, tensor<512x512x1x1xf32>) -> tensor<1x512x1x1xf32>
  return %0 : tensor<1x512x1x1xf32>
}

// -----

// LeNet c1: 5x5, 1 -> 6 at 28x28. Fewer channels than a block: plain NCHW,
// 16 columns per vector, 6 channels x 2 rows = 12 accumulators; too small to
// thread.
// CHECK-LABEL: func.func @lenet(
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 1 : i64, gemm = false, ic_block = 1 : i64, layout = "nchw", oc_block = 1 : i64, parallel = false, phases = 1 : i64, tile_oc = 6 : i64, tile_x = 16 : i64, tile_y = 2 : i64, unroll_kx = true, vector = 16 : i64}
func.func @lenet(%x: tensor<1x1x32x32xf32>, %w: tensor<6x1x5x5xf32>) -> tensor<1x6x28x28xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x1x32x32xf32>, tensor<6x1x5x5xf32>) -> tensor<1x6x28x28xf32>
  return %0 : tensor<1x6x28x28xf32>
}

// -----

// Grouped conv with 4 output channels per group: blocks would straddle
// groups, so plain NCHW.
// CHECK-LABEL: func.func @grouped(
// CHECK: layout = "nchw", oc_block = 1 : i64
func.func @grouped(%x: tensor<1x32x16x16xf32>, %w: tensor<32x4x3x3xf32>) -> tensor<1x32x16x16xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 8} : (tensor<1x32x16x16xf32>, tensor<32x4x3x3xf32>) -> tensor<1x32x16x16xf32>
  return %0 : tensor<1x32x16x16xf32>
}

// -----

// Classifier: dense 512 -> 1000 (PyTorch Linear, weight [1000, 512]) on one
// row: 16 vectors of N = 256 columns; the 512 x 256 weight panel plus the row
// fits half the L2 (K whole); with a 1 MiB L2 K is split in 256s.
// CHECK-LABEL: func.func @classifier(
// L2SMALL-LABEL: func.func @classifier(
// L2SMALL: cnn.tiling = {ic_block = 256 : i64,
// CHECK: cnn.tiling = {ic_block = 512 : i64, layout = "rowmajor", oc_block = 16 : i64, parallel = true, tile_oc = 1 : i64, tile_x = 256 : i64, tile_y = 1 : i64, unroll_kx = false, vector = 16 : i64}
func.func @classifier(%x: tensor<1x512xf32>, %w: tensor<1000x512xf32>, %b: tensor<1000xf32>) -> tensor<1x1000xf32> {
  %0 = cnn.dense %x, %w, %b {trans_a = false, trans_b = true, alpha = 1.0 : f32, beta = 1.0 : f32} : (tensor<1x512xf32>, tensor<1000x512xf32>, tensor<1000xf32>) -> tensor<1x1000xf32>
  return %0 : tensor<1x1000xf32>
}

// -----

// Batched matmul [4, 64, 32] x [32, 48]: 4 rows x 4 vectors of N.
// CHECK-LABEL: func.func @matmul(
// CHECK: cnn.tiling = {ic_block = 32 : i64, layout = "rowmajor", oc_block = 16 : i64, parallel = true, tile_oc = 1 : i64, tile_x = 48 : i64, tile_y = 4 : i64, unroll_kx = false, vector = 16 : i64}
func.func @matmul(%a: tensor<4x64x32xf32>, %b: tensor<32x48xf32>) -> tensor<4x64x48xf32> {
  %0 = cnn.matmul %a, %b : (tensor<4x64x32xf32>, tensor<32x48xf32>) -> tensor<4x64x48xf32>
  return %0 : tensor<4x64x48xf32>
}

// -----

// The 3x3 s1 conv above with constant weights: Winograd F(4x4, 3x3) (196
// tiles, at least 32); tile_x counts 4x4 tiles (14 across: 2 balanced tiles
// of 7), one row of tiles at a time. 196 tiles against 64 filters: the
// transformed input is the larger operand, so it stays in cache (the
// transformed weights, 0.6 MB, fit in L2).
// CHECK-LABEL: func.func @winograd(
// CHECK: cnn.tiling = {algorithm = "winograd", depthwise = false, dilation_phases = 1 : i64, gemm = false, ic_block = 64 : i64, layout = "nchw16c", oc_block = 16 : i64, parallel = true, phases = 1 : i64, stationary = "inputs", tile_oc = 2 : i64, tile_x = 7 : i64, tile_y = 1 : i64, unroll_kx = true, vector = 16 : i64, winograd_tile = 4 : i64}
// NOWINO-LABEL: func.func @winograd(
// NOWINO: algorithm = "direct"
func.func @winograd(%x: tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32> {
  %w = cnn.constant dense<0.5> : tensor<64x64x3x3xf32>
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  return %0 : tensor<1x64x56x56xf32>
}

// -----

// ResNet conv5_x, 512 channels at 7x7: F(2x2) (F(4x4) would have 4 tiles);
// 4 tiles across, so 4 channel blocks fill the 16 accumulators; 512 filters
// against 16 tiles: the weights stay.
// CHECK-LABEL: func.func @winograd_small(
// CHECK: cnn.tiling = {algorithm = "winograd", {{.*}} stationary = "weights", tile_oc = 4 : i64, tile_x = 4 : i64, tile_y = 1 : i64, unroll_kx = true, vector = 16 : i64, winograd_tile = 2 : i64}
func.func @winograd_small(%x: tensor<1x512x7x7xf32>) -> tensor<1x512x7x7xf32> {
  %w = cnn.constant dense<0.5> : tensor<512x512x3x3xf32>
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x512x7x7xf32>, tensor<512x512x3x3xf32>) -> tensor<1x512x7x7xf32>
  return %0 : tensor<1x512x7x7xf32>
}

// -----

// ResNet conv4_x, 256 channels at 14x14: F(2x2) (F(4x4) would have 16
// tiles); 49 tiles against 256 filters, so the weights stay in cache; its
// GEMM guards the tail tile, and 4 tiles x 4 blocks (not 7 x 2) feed each
// broadcast to 4 blocks.
// CHECK-LABEL: func.func @winograd_weights(
// CHECK: cnn.tiling = {algorithm = "winograd", {{.*}} stationary = "weights", tile_oc = 4 : i64, tile_x = 4 : i64, tile_y = 1 : i64, unroll_kx = true, vector = 16 : i64, winograd_tile = 2 : i64}
func.func @winograd_weights(%x: tensor<1x256x14x14xf32>) -> tensor<1x256x14x14xf32> {
  %w = cnn.constant dense<0.5> : tensor<256x256x3x3xf32>
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x256x14x14xf32>, tensor<256x256x3x3xf32>) -> tensor<1x256x14x14xf32>
  return %0 : tensor<1x256x14x14xf32>
}

// -----

// ResNet conv3_x, 128 channels at 28x28: F(4x4) with 49 tiles against 128
// filters, so the weights stay (streamed once, each serving 49 tiles).
// CHECK-LABEL: func.func @winograd_f4_weights(
// CHECK: cnn.tiling = {algorithm = "winograd", {{.*}} stationary = "weights", tile_oc = 4 : i64, tile_x = 4 : i64, tile_y = 1 : i64, unroll_kx = true, vector = 16 : i64, winograd_tile = 4 : i64}
func.func @winograd_f4_weights(%x: tensor<1x128x28x28xf32>) -> tensor<1x128x28x28xf32> {
  %w = cnn.constant dense<0.5> : tensor<128x128x3x3xf32>
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x128x28x28xf32>, tensor<128x128x3x3xf32>) -> tensor<1x128x28x28xf32>
  return %0 : tensor<1x128x28x28xf32>
}

// -----

// DCGAN's 256 -> 128 transposed conv (4x4, stride 2, 8x8 -> 16x16): four
// sub-pixel phases of 2 x 2 taps, each 8x8 outputs = 16 F(2x2, 2x2) tiles,
// so Winograd per phase, the input stationary; tile_x counts one phase's
// tiles (4 across), so 4 channel blocks fill the 16 accumulators.
// CHECK-LABEL: func.func @deconv_winograd(
// CHECK: cnn.tiling = {algorithm = "winograd", depthwise = false, dilation_phases = 1 : i64, gemm = false, ic_block = 256 : i64, layout = "nchw16c", oc_block = 16 : i64, parallel = true, phases = 4 : i64, stationary = "inputs", tile_oc = 4 : i64, tile_x = 4 : i64, tile_y = 1 : i64, unroll_kx = true, vector = 16 : i64, winograd_tile = 2 : i64}
// NOWINO-LABEL: func.func @deconv_winograd(
// NOWINO: algorithm = "direct"
func.func @deconv_winograd(%x: tensor<1x256x8x8xf32>) -> tensor<1x128x16x16xf32> {
  %w = cnn.constant dense<0.5> : tensor<256x128x4x4xf32>
  %0 = cnn.conv_transpose2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x256x8x8xf32>, tensor<256x128x4x4xf32>) -> tensor<1x128x16x16xf32>
  return %0 : tensor<1x128x16x16xf32>
}

// -----

// The layer before it, 512 -> 256 from 4x4: 4 tiles a phase, too few to
// repay streaming 2.25x the weights: direct.
// CHECK-LABEL: func.func @deconv_winograd_few_tiles(
// CHECK: cnn.tiling = {algorithm = "direct",
func.func @deconv_winograd_few_tiles(%x: tensor<1x512x4x4xf32>) -> tensor<1x256x8x8xf32> {
  %w = cnn.constant dense<0.5> : tensor<512x256x4x4xf32>
  %0 = cnn.conv_transpose2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x512x4x4xf32>, tensor<512x256x4x4xf32>) -> tensor<1x256x8x8xf32>
  return %0 : tensor<1x256x8x8xf32>
}

// -----

// A 3x3 kernel at stride 2 (the autoencoder's): phases of 2 x 2, 2 x 1,
// 1 x 2 and 1 x 1 taps, 9 multiplies per input pixel as with F(2x2, 2x2)
// on all four: direct.
// CHECK-LABEL: func.func @deconv_winograd_ragged(
// CHECK: cnn.tiling = {algorithm = "direct",
func.func @deconv_winograd_ragged(%x: tensor<1x64x16x16xf32>) -> tensor<1x32x32x32xf32> {
  %w = cnn.constant dense<0.5> : tensor<64x32x3x3xf32>
  %0 = cnn.conv_transpose2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x64x16x16xf32>, tensor<64x32x3x3xf32>) -> tensor<1x32x32x32xf32>
  return %0 : tensor<1x32x32x32xf32>
}

// -----

// A 3x3 stride-1 transposed conv is one phase of 3 x 3 taps, decided as a
// conv2d: F(4x4, 3x3) (64 4x4 tiles at 32x32), the input stationary.
// CHECK-LABEL: func.func @deconv_winograd_f4(
// CHECK: cnn.tiling = {algorithm = "winograd", {{.*}} phases = 1 : i64, stationary = "inputs", {{.*}} winograd_tile = 4 : i64}
func.func @deconv_winograd_f4(%x: tensor<1x64x32x32xf32>) -> tensor<1x64x32x32xf32> {
  %w = cnn.constant dense<0.5> : tensor<64x64x3x3xf32>
  %0 = cnn.conv_transpose2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x64x32x32xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x32x32xf32>
  return %0 : tensor<1x64x32x32xf32>
}

// -----

// As a conv2d: with the input stationary, F(4x4)'s transformed weights for
// 128 -> 128 channels (2.4 MB) outgrow half the L2, so F(2x2).
// CHECK-LABEL: func.func @deconv_winograd_f4_l2(
// CHECK: cnn.tiling = {algorithm = "winograd", {{.*}} stationary = "inputs", {{.*}} winograd_tile = 2 : i64}
func.func @deconv_winograd_f4_l2(%x: tensor<1x128x64x64xf32>) -> tensor<1x128x64x64xf32> {
  %w = cnn.constant dense<0.5> : tensor<128x128x3x3xf32>
  %0 = cnn.conv_transpose2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x128x64x64xf32>, tensor<128x128x3x3xf32>) -> tensor<1x128x64x64xf32>
  return %0 : tensor<1x128x64x64xf32>
}

// -----

// As a conv2d: 512 filters against 16 tiles at 7x7, the weights stay.
// CHECK-LABEL: func.func @deconv_winograd_one_phase_weights(
// CHECK: cnn.tiling = {algorithm = "winograd", {{.*}} phases = 1 : i64, stationary = "weights", {{.*}} winograd_tile = 2 : i64}
func.func @deconv_winograd_one_phase_weights(%x: tensor<1x512x7x7xf32>) -> tensor<1x512x7x7xf32> {
  %w = cnn.constant dense<0.5> : tensor<512x512x3x3xf32>
  %0 = cnn.conv_transpose2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x512x7x7xf32>, tensor<512x512x3x3xf32>) -> tensor<1x512x7x7xf32>
  return %0 : tensor<1x512x7x7xf32>
}

// -----

// Phases of 2 x 3 taps (a 4x6 kernel at stride 2): no square tile, direct.
// CHECK-LABEL: func.func @deconv_winograd_uneven_taps(
// CHECK: cnn.tiling = {algorithm = "direct",
func.func @deconv_winograd_uneven_taps(%x: tensor<1x64x16x16xf32>) -> tensor<1x32x32x34xf32> {
  %w = cnn.constant dense<0.5> : tensor<64x32x4x6xf32>
  %0 = cnn.conv_transpose2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x64x16x16xf32>, tensor<64x32x4x6xf32>) -> tensor<1x32x32x34xf32>
  return %0 : tensor<1x32x32x34xf32>
}

// -----

// Fewer filters than a vector (a generator's last layer): the "nchw"
// layout, direct.
// CHECK-LABEL: func.func @deconv_winograd_few_filters(
// CHECK: cnn.tiling = {algorithm = "direct", {{.*}} layout = "nchw",
func.func @deconv_winograd_few_filters(%x: tensor<1x64x16x16xf32>) -> tensor<1x8x32x32xf32> {
  %w = cnn.constant dense<0.5> : tensor<64x8x4x4xf32>
  %0 = cnn.conv_transpose2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x64x16x16xf32>, tensor<64x8x4x4xf32>) -> tensor<1x8x32x32xf32>
  return %0 : tensor<1x8x32x32xf32>
}

// -----

// 128 channels at 56x56: with F(4x4) the input would stay (196 tiles
// against 128 filters), and every row of tiles would read its 2.4 MB of
// transformed weights, more than L2: F(2x2), whose 1 MB do.
// CHECK-LABEL: func.func @winograd_f4_large_weights(
// CHECK: cnn.tiling = {algorithm = "winograd", {{.*}} stationary = "inputs", {{.*}} winograd_tile = 2 : i64}
func.func @winograd_f4_large_weights(%x: tensor<1x128x56x56xf32>) -> tensor<1x128x56x56xf32> {
  %w = cnn.constant dense<0.5> : tensor<128x128x3x3xf32>
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x128x56x56xf32>, tensor<128x128x3x3xf32>) -> tensor<1x128x56x56xf32>
  return %0 : tensor<1x128x56x56xf32>
}

// -----

// 64 -> 128 at 56x56: F(4x4)'s transformed weights (1.2 MB) fit L2 but not
// its half, which the tiles they multiply need: F(2x2).
// CHECK-LABEL: func.func @winograd_f4_half_l2(
// CHECK: cnn.tiling = {algorithm = "winograd", {{.*}} stationary = "inputs", {{.*}} winograd_tile = 2 : i64}
func.func @winograd_f4_half_l2(%x: tensor<1x64x56x56xf32>) -> tensor<1x128x56x56xf32> {
  %w = cnn.constant dense<0.5> : tensor<128x64x3x3xf32>
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x64x56x56xf32>, tensor<128x64x3x3xf32>) -> tensor<1x128x56x56xf32>
  return %0 : tensor<1x128x56x56xf32>
}

// -----

// Dilated: Winograd F(2x2) per dilation phase. Not eligible: strided, or
// too few channels.
// CHECK-LABEL: func.func @not_winograd(
// CHECK: algorithm = "winograd"{{.*}} winograd_tile = 2 : i64
// CHECK-COUNT-2: algorithm = "direct"
func.func @not_winograd(%x: tensor<1x64x56x56xf32>, %y: tensor<1x8x56x56xf32>) -> (tensor<1x64x54x54xf32>, tensor<1x64x28x28xf32>, tensor<1x64x56x56xf32>) {
  %w = cnn.constant dense<0.5> : tensor<64x64x3x3xf32>
  %w8 = cnn.constant dense<0.5> : tensor<64x8x3x3xf32>
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 2, 2>, groups = 1} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x54x54xf32>
  %1 = cnn.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x28x28xf32>
  %2 = cnn.conv2d %y, %w8 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x8x56x56xf32>, tensor<64x8x3x3xf32>) -> tensor<1x64x56x56xf32>
  return %0, %1, %2 : tensor<1x64x54x54xf32>, tensor<1x64x28x28xf32>, tensor<1x64x56x56xf32>
}

// -----

// MobileNetV2's projection 96 -> 24 at 56x56: one channel tile, GEMM-shaped;
// its 56 rows are the parallel tasks (counting the flattened pixels as one
// row left such convs on one thread).
// CHECK-LABEL: func.func @projection(
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 1 : i64, gemm = true, ic_block = 96 : i64, layout = "nchw16c", oc_block = 16 : i64, parallel = true, phases = 1 : i64, tile_oc = 2 : i64, tile_x = 8 : i64, tile_y = 1 : i64, unroll_kx = false, vector = 16 : i64}
func.func @projection(%x: tensor<1x96x56x56xf32>, %w: tensor<24x96x1x1xf32>) -> tensor<1x24x56x56xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x96x56x56xf32>, tensor<24x96x1x1xf32>) -> tensor<1x24x56x56xf32>
  return %0 : tensor<1x24x56x56xf32>
}

// -----

// Keys the input's cnn.tiling already holds are kept (a layer tuned by
// hand, or the output of an earlier run); the pass fills in the others:
// resnet_3x3's tiling with 4 columns per tile instead of 8.
// CHECK-LABEL: func.func @given_keys(
// CHECK: cnn.tiling = {algorithm = "direct", depthwise = false, dilation_phases = 1 : i64, gemm = false, ic_block = 64 : i64, kx_inner = true, layout = "nchw16c", oc_block = 16 : i64, parallel = true, phases = 1 : i64, tile_oc = 2 : i64, tile_x = 4 : i64, tile_y = 1 : i64, unroll_kx = true, vector = 16 : i64}
func.func @given_keys(%x: tensor<1x64x56x56xf32>, %w: tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32> {
  %0 = cnn.conv2d %x, %w {cnn.tiling = {tile_x = 4 : i64}, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  return %0 : tensor<1x64x56x56xf32>
}

// -----

// A hand-given algorithm = "winograd" where the pass would keep the direct
// loop (8 filters, fewer than a vector) is kept, with its winograd_tile
// and stationary keys: codegen can run it.
// CHECK-LABEL: func.func @winograd_given(
// CHECK: cnn.tiling = {algorithm = "winograd", {{.*}} stationary = "weights", {{.*}} winograd_tile = 4 : i64}
func.func @winograd_given(%x: tensor<1x16x8x8xf32>) -> tensor<1x8x8x8xf32> {
  %w = cnn.constant dense<0.5> : tensor<8x16x3x3xf32>
  %0 = cnn.conv2d %x, %w {cnn.tiling = {algorithm = "winograd", stationary = "weights", winograd_tile = 4 : i64}, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x16x8x8xf32>, tensor<8x16x3x3xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}
