// RUN: cnnc-opt %s -split-input-file --cnn-fuse | FileCheck %s
// RUN: cnnc-opt %s -split-input-file --cnn-fuse="l2-kib=1" | FileCheck %s --check-prefix=SMALL
// RUN: cnnc-opt %s -split-input-file --cnn-fuse="enable=false" | FileCheck %s --check-prefix=NOFUSE

// conv -> relu: the relu runs in the conv's output stage.
// CHECK-LABEL: func.func @conv_relu(
// CHECK: %[[C:.*]] = cnn.conv2d
// CHECK-NOT: cnn.fuse
// CHECK-SAME: -> tensor<1x4x8x8xf32>
// CHECK-NEXT: cnn.relu %[[C]] {cnn.fuse = "epilogue", cnn.fuse_operand = 0 : i64}
func.func @conv_relu(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  %1 = cnn.relu %0 : tensor<1x4x8x8xf32>
  return %1 : tensor<1x4x8x8xf32>
}

// -----

// A chain: bias add (broadcast constant), relu6, each one use.
// CHECK-LABEL: func.func @chain(
// CHECK: cnn.add %{{.*}}, %{{.*}} {cnn.fuse = "epilogue", cnn.fuse_operand = 0 : i64}
// CHECK-NEXT: cnn.clip %{{.*}} {cnn.fuse = "epilogue", cnn.fuse_operand = 0 : i64
// CHECK-NEXT: cnn.hard_swish %{{.*}} {cnn.fuse = "epilogue", cnn.fuse_operand = 0 : i64}
func.func @chain(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  %b = cnn.constant dense<1.0> : tensor<4x1x1xf32>
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  %1 = cnn.add %0, %b : (tensor<1x4x8x8xf32>, tensor<4x1x1xf32>) -> tensor<1x4x8x8xf32>
  %2 = cnn.clip %1 {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x4x8x8xf32>
  %3 = cnn.hard_swish %2 : tensor<1x4x8x8xf32>
  return %3 : tensor<1x4x8x8xf32>
}

// -----

// Residual add: the conv is operand 1; the shortcut %x is materialised.
// CHECK-LABEL: func.func @residual(
// CHECK: cnn.add %{{.*}}, %{{.*}} {cnn.fuse = "epilogue", cnn.fuse_operand = 1 : i64}
// CHECK-NEXT: cnn.relu %{{.*}} {cnn.fuse = "epilogue", cnn.fuse_operand = 0 : i64}
func.func @residual(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  %1 = cnn.add %x, %0 : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %2 = cnn.relu %1 : tensor<1x4x8x8xf32>
  return %2 : tensor<1x4x8x8xf32>
}

// -----

// Two convs into one add: it fuses into the first; the second is materialised.
// CHECK-LABEL: func.func @two_convs(
// CHECK: cnn.add %{{.*}}, %{{.*}} {cnn.fuse = "epilogue", cnn.fuse_operand = 0 : i64}
func.func @two_convs(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>, %v: tensor<4x4x1x1xf32>) -> tensor<1x4x8x8xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  %1 = cnn.conv2d %x, %v {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x8x8xf32>
  %2 = cnn.add %0, %1 : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return %2 : tensor<1x4x8x8xf32>
}

// -----

// The conv result has two users: it must be stored, nothing fuses into it.
// The add reads the relu (one use), so it joins the relu's chain instead.
// CHECK-LABEL: func.func @two_users(
// CHECK: cnn.relu %{{.*}} : tensor
// CHECK-NEXT: cnn.add %{{.*}}, %{{.*}} {cnn.fuse = "epilogue", cnn.fuse_operand = 1 : i64}
func.func @two_users(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  %1 = cnn.relu %0 : tensor<1x4x8x8xf32>
  %2 = cnn.add %0, %1 : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return %2 : tensor<1x4x8x8xf32>
}

// -----

// The add broadcasts the conv result to a larger shape: not an epilogue.
// CHECK-LABEL: func.func @broadcast_up(
// CHECK: cnn.add %{{.*}}, %{{.*}} : (
func.func @broadcast_up(%x: tensor<1x3x1x1xf32>, %w: tensor<4x3x1x1xf32>, %y: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x1x1xf32>, tensor<4x3x1x1xf32>) -> tensor<1x4x1x1xf32>
  %1 = cnn.add %0, %y : (tensor<1x4x1x1xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return %1 : tensor<1x4x8x8xf32>
}

// -----

// Chains of elementwise ops without a conv: swish = x * sigmoid(x) fuses the
// mul into the sigmoid's stage (operand 1); the sigmoid heads the chain.
// CHECK-LABEL: func.func @swish(
// CHECK: cnn.sigmoid %{{.*}} : tensor
// CHECK-NEXT: cnn.mul %{{.*}}, %{{.*}} {cnn.fuse = "epilogue", cnn.fuse_operand = 1 : i64}
func.func @swish(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %0 = cnn.sigmoid %x : tensor<1x4x8x8xf32>
  %1 = cnn.mul %x, %0 : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return %1 : tensor<1x4x8x8xf32>
}

// -----

// batch_norm and dense host epilogues; prelu fuses through its input only.
// CHECK-LABEL: func.func @hosts(
// CHECK: cnn.batch_norm
// CHECK-NOT: cnn.fuse
// CHECK-SAME: -> tensor<1x4x2x2xf32>
// CHECK-NEXT: cnn.prelu %{{.*}}, %{{.*}} {cnn.fuse = "epilogue", cnn.fuse_operand = 0 : i64}
// CHECK: cnn.dense
// CHECK-NEXT: cnn.tanh %{{.*}} {cnn.fuse = "epilogue", cnn.fuse_operand = 0 : i64}
func.func @hosts(%x: tensor<1x4x2x2xf32>, %p: tensor<4xf32>, %a: tensor<2x8xf32>, %b: tensor<8x3xf32>) -> (tensor<1x4x2x2xf32>, tensor<2x3xf32>) {
  %s = cnn.constant dense<0.25> : tensor<4x1x1xf32>
  %0 = cnn.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0 : f32} : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  %1 = cnn.prelu %0, %s : (tensor<1x4x2x2xf32>, tensor<4x1x1xf32>) -> tensor<1x4x2x2xf32>
  %2 = cnn.dense %a, %b {trans_a = false, trans_b = false, alpha = 1.0 : f32, beta = 1.0 : f32} : (tensor<2x8xf32>, tensor<8x3xf32>) -> tensor<2x3xf32>
  %3 = cnn.tanh %2 : tensor<2x3xf32>
  return %1, %3 : tensor<1x4x2x2xf32>, tensor<2x3xf32>
}

// -----

// A prelu whose slope comes from a conv is not an epilogue of that conv;
// matmul, pools and reshapes host nothing.
// CHECK-LABEL: func.func @not_hosts(
// CHECK-NOT: cnn.fuse
// CHECK: return
func.func @not_hosts(%x: tensor<1x4x2x2xf32>, %w: tensor<4x4x1x1xf32>, %a: tensor<2x8xf32>, %b: tensor<8x3xf32>) -> (tensor<1x4x2x2xf32>, tensor<2x3xf32>, tensor<1x4x1x1xf32>) {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x4x2x2xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x2x2xf32>
  %1 = cnn.prelu %x, %0 : (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
  %2 = cnn.matmul %a, %b : (tensor<2x8xf32>, tensor<8x3xf32>) -> tensor<2x3xf32>
  %3 = cnn.relu %2 : tensor<2x3xf32>
  %4 = cnn.global_avg_pool %x : (tensor<1x4x2x2xf32>) -> tensor<1x4x1x1xf32>
  %5 = cnn.sigmoid %4 : tensor<1x4x1x1xf32>
  return %1, %3, %5 : tensor<1x4x2x2xf32>, tensor<2x3xf32>, tensor<1x4x1x1xf32>
}

// -----

// conv -> relu -> max_pool: the conv is computed at the pool's loop level,
// with its relu epilogue.
// CHECK-LABEL: func.func @conv_pool(
// CHECK: cnn.conv2d {{.*}} {cnn.fuse = "consumer", dilations
// CHECK-NEXT: cnn.relu %{{.*}} {cnn.fuse = "epilogue"
// CHECK-NEXT: cnn.max_pool2d
// CHECK-NOT: cnn.fuse
// CHECK-SAME: -> tensor<1x4x4x4xf32>
// CHECK-NEXT: cnn.conv2d {{.*}} {cnn.fuse = "consumer", dilations
// CHECK-NEXT: cnn.avg_pool2d
// Unfused (enable=false): the relu is stored on its own ("none"), no conv
// is computed at its pool.
// NOFUSE-LABEL: func.func @conv_pool(
// NOFUSE: cnn.conv2d %{{.*}}, %{{.*}} {dilations
// NOFUSE-NEXT: cnn.relu %{{.*}} {cnn.fuse = "none"}
// NOFUSE-NEXT: cnn.max_pool2d %{{.*}} {ceil_mode
// NOFUSE-NEXT: cnn.conv2d %{{.*}}, %{{.*}} {dilations
// NOFUSE-NEXT: cnn.avg_pool2d %{{.*}} {ceil_mode
func.func @conv_pool(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %v: tensor<4x4x1x1xf32>) -> tensor<1x4x2x2xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  %1 = cnn.relu %0 : tensor<1x4x8x8xf32>
  %2 = cnn.max_pool2d %1 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  %3 = cnn.conv2d %2, %v {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x4x4x4xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x4x4xf32>
  %4 = cnn.avg_pool2d %3 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, ceil_mode = false, count_include_pad = false} : (tensor<1x4x4x4xf32>) -> tensor<1x4x2x2xf32>
  return %4 : tensor<1x4x2x2xf32>
}

// -----

// The relu between conv and pool has a second user: the pre-pool tensor is
// needed in full, so the conv is not computed at the pool's level.
// CHECK-LABEL: func.func @pool_shared(
// CHECK: cnn.conv2d
// CHECK-NOT: cnn.fuse = "consumer"
// CHECK: return
func.func @pool_shared(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x8x8xf32>) {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  %1 = cnn.relu %0 : tensor<1x4x8x8xf32>
  %2 = cnn.max_pool2d %1 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  return %2, %1 : tensor<1x4x4x4xf32>, tensor<1x4x8x8xf32>
}

// -----

// Depthwise 3x3 -> relu6 -> pointwise 1x1: a pair. One depthwise output row is
// 32 channels x 8 columns x 4 bytes = 1 KiB: it fits half of a 1 MiB L2 but
// not half of a 1 KiB one (SMALL).
// CHECK-LABEL: func.func @depthwise_pair(
// CHECK: cnn.conv2d {{.*}} {cnn.fuse = "pair", dilations
// CHECK-NEXT: cnn.clip %{{.*}} {cnn.fuse = "epilogue"
// CHECK-NEXT: cnn.conv2d
// CHECK-NOT: cnn.fuse
// CHECK-SAME: -> tensor<1x16x8x8xf32>
// SMALL-LABEL: func.func @depthwise_pair(
// SMALL: cnn.conv2d
// SMALL-NOT: cnn.fuse = "pair"
// SMALL: cnn.clip %{{.*}} {cnn.fuse = "epilogue"
func.func @depthwise_pair(%x: tensor<1x32x8x8xf32>, %dw: tensor<32x1x3x3xf32>, %pw: tensor<16x32x1x1xf32>) -> tensor<1x16x8x8xf32> {
  %0 = cnn.conv2d %x, %dw {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 32} : (tensor<1x32x8x8xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x8x8xf32>
  %1 = cnn.clip %0 {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x32x8x8xf32>
  %2 = cnn.conv2d %1, %pw {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x32x8x8xf32>, tensor<16x32x1x1xf32>) -> tensor<1x16x8x8xf32>
  return %2 : tensor<1x16x8x8xf32>
}

// -----

// An inverted residual block: the 1x1 expansion -> relu6 is computed at the
// depthwise conv's loop level ("consumer"); the depthwise conv pairs with
// the projection. A 3x3 conv before a depthwise conv is not a consumer
// fusion (only pointwise expansions are).
// CHECK-LABEL: func.func @inverted_residual(
// CHECK: cnn.conv2d {{.*}} {cnn.fuse = "consumer", dilations
// CHECK-NEXT: cnn.clip %{{.*}} {cnn.fuse = "epilogue"
// CHECK-NEXT: cnn.conv2d {{.*}} {cnn.fuse = "pair", dilations
// CHECK-SAME: groups = 32
// CHECK-NEXT: cnn.conv2d %{{.*}}, %{{.*}} {dilations
// CHECK-NEXT: cnn.conv2d %{{.*}}, %{{.*}} {dilations = {{.*}}, groups = 1
// CHECK-NEXT: cnn.conv2d {{.*}} groups = 32
func.func @inverted_residual(%x: tensor<1x16x8x8xf32>, %e: tensor<32x16x1x1xf32>, %dw: tensor<32x1x3x3xf32>, %pw: tensor<16x32x1x1xf32>, %w3: tensor<32x16x3x3xf32>) -> (tensor<1x16x8x8xf32>, tensor<1x32x8x8xf32>) {
  %0 = cnn.conv2d %x, %e {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x16x8x8xf32>, tensor<32x16x1x1xf32>) -> tensor<1x32x8x8xf32>
  %1 = cnn.clip %0 {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x32x8x8xf32>
  %2 = cnn.conv2d %1, %dw {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 32} : (tensor<1x32x8x8xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x8x8xf32>
  %3 = cnn.conv2d %2, %pw {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x32x8x8xf32>, tensor<16x32x1x1xf32>) -> tensor<1x16x8x8xf32>
  %4 = cnn.conv2d %x, %w3 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x16x8x8xf32>, tensor<32x16x3x3xf32>) -> tensor<1x32x8x8xf32>
  %5 = cnn.conv2d %4, %dw {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 32} : (tensor<1x32x8x8xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x8x8xf32>
  return %3, %5 : tensor<1x16x8x8xf32>, tensor<1x32x8x8xf32>
}

// -----

// Not pairs: a strided 1x1 conv after a depthwise; a dense 3x3 before a 1x1;
// a depthwise whose output is the weight, not the input, of the next conv.
// CHECK-LABEL: func.func @not_pairs(
// CHECK-NOT: cnn.fuse = "pair"
// CHECK: return
func.func @not_pairs(%x: tensor<1x32x8x8xf32>, %dw: tensor<32x1x3x3xf32>, %pw: tensor<16x32x1x1xf32>, %w: tensor<32x32x3x3xf32>, %y: tensor<1x32x9x9xf32>) -> (tensor<1x16x4x4xf32>, tensor<1x16x8x8xf32>, tensor<1x1x2x2xf32>) {
  %0 = cnn.conv2d %x, %dw {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 32} : (tensor<1x32x8x8xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x8x8xf32>
  %1 = cnn.conv2d %0, %pw {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x32x8x8xf32>, tensor<16x32x1x1xf32>) -> tensor<1x16x4x4xf32>
  %2 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x32x8x8xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x8x8xf32>
  %3 = cnn.conv2d %2, %pw {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x32x8x8xf32>, tensor<16x32x1x1xf32>) -> tensor<1x16x8x8xf32>
  %4 = cnn.conv2d %x, %dw {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 32} : (tensor<1x32x8x8xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x8x8xf32>
  %5 = cnn.conv2d %y, %4 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x32x9x9xf32>, tensor<1x32x8x8xf32>) -> tensor<1x1x2x2xf32>
  return %1, %3, %5 : tensor<1x16x4x4xf32>, tensor<1x16x8x8xf32>, tensor<1x1x2x2xf32>
}

// -----

// Stale marks are recomputed: the relu has no fusable producer.
// CHECK-LABEL: func.func @stale(
// CHECK-NEXT: cnn.relu %{{.*}} : tensor<4xf32>
func.func @stale(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = cnn.relu %x {cnn.fuse = "epilogue", cnn.fuse_operand = 0 : i64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A context module: b2 is read by b3 and by the concat, so only b3, the
// branch that the concat alone reads, is computed per band of the 1x1 conv.
// CHECK-LABEL: func.func @concat_branch(
// CHECK: %[[B1:.*]] = cnn.conv2d
// CHECK-NOT: cnn.fuse = "consumer"
// CHECK-SAME: -> tensor<1x16x8x8xf32>
// CHECK: %[[B2:.*]] = cnn.conv2d %[[B1]]
// CHECK-NOT: cnn.fuse = "consumer"
// CHECK-SAME: -> tensor<1x16x8x8xf32>
// CHECK: cnn.conv2d %[[B2]], %{{.*}} {cnn.fuse = "consumer"
// CHECK: %[[CAT:.*]] = cnn.concat
// CHECK: cnn.conv2d %[[CAT]]
// CHECK-NOT: cnn.fuse = "consumer"
// CHECK-SAME: -> tensor<1x16x8x8xf32>
func.func @concat_branch(%x: tensor<1x16x8x8xf32>, %w: tensor<16x16x3x3xf32>, %v: tensor<16x48x1x1xf32>) -> tensor<1x16x8x8xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32>
  %1 = cnn.conv2d %0, %w {strides = array<i64: 1, 1>, pads = array<i64: 2, 2, 2, 2>, dilations = array<i64: 2, 2>, groups = 1} : (tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32>
  %2 = cnn.conv2d %1, %w {strides = array<i64: 1, 1>, pads = array<i64: 4, 4, 4, 4>, dilations = array<i64: 4, 4>, groups = 1} : (tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32>
  %3 = cnn.relu %2 : tensor<1x16x8x8xf32>
  %4 = cnn.concat %0, %1, %3 {axis = 1 : i64} : (tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>) -> tensor<1x48x8x8xf32>
  %5 = cnn.conv2d %4, %v {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x48x8x8xf32>, tensor<16x48x1x1xf32>) -> tensor<1x16x8x8xf32>
  return %5 : tensor<1x16x8x8xf32>
}

// -----

// The concat is read by a 3x3 conv, not a pointwise one: nothing is marked.
// CHECK-LABEL: func.func @concat_not_pointwise(
// CHECK-NOT: cnn.fuse = "consumer"
// CHECK: return
func.func @concat_not_pointwise(%x: tensor<1x16x8x8xf32>, %w: tensor<16x16x3x3xf32>, %v: tensor<16x32x3x3xf32>) -> tensor<1x16x8x8xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32>
  %1 = cnn.concat %x, %0 {axis = 1 : i64} : (tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>) -> tensor<1x32x8x8xf32>
  %2 = cnn.conv2d %1, %v {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x32x8x8xf32>, tensor<16x32x3x3xf32>) -> tensor<1x16x8x8xf32>
  return %2 : tensor<1x16x8x8xf32>
}

// -----

// A conv read by a pointwise conv with no concat between them: not marked
// (only a concat's branches are computed per band of the pointwise conv).
// CHECK-LABEL: func.func @pointwise_no_concat(
// CHECK-NOT: cnn.fuse = "consumer"
// CHECK: return
func.func @pointwise_no_concat(%x: tensor<1x16x8x8xf32>, %w: tensor<16x16x3x3xf32>, %v: tensor<16x16x1x1xf32>) -> tensor<1x16x8x8xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32>
  %1 = cnn.relu %0 : tensor<1x16x8x8xf32>
  %2 = cnn.conv2d %1, %v {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x16x8x8xf32>, tensor<16x16x1x1xf32>) -> tensor<1x16x8x8xf32>
  return %2 : tensor<1x16x8x8xf32>
}
