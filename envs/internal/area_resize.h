// rein::envs::internal::AreaResize: OpenCV's cv::resize(image, (width, height),
// interpolation=INTER_AREA) on uint8 images, the resize Gymnasium's ResizeObservation calls,
// rewritten from OpenCV 4.6's published algorithm with the same arithmetic (double-precision
// geometry, float32 weights and sums in the same order, 11-bit fixed-point interpolation, round
// half to even), so that every output byte equals OpenCV's. Its three cases:
//  - integer factors (as OpenCV tests them: 1 / (out / in) within DBL_EPSILON of an integer on
//    both axes): block sums times float(1 / area), rounded half to even; 2x2 blocks of 1, 3 or 4
//    channels round halves up instead (OpenCV's (a + b + c + d + 2) >> 2);
//  - both sides shrink otherwise: per axis, the input pixels an output pixel covers with float32
//    weights overlap / covered width; a row's horizontal sums, then the rows weighed and summed
//    into each output row, all in float32, rounded half to even;
//  - a side enlarges: OpenCV's area mode of its bilinear resize (two taps per axis, the second
//    weighing how far the output pixel reaches past the input pixel it starts in), weights
//    rounded to 1/2048, horizontal sums in integers, the vertical combination in OpenCV's
//    fixed-point form.
// OpenCV refuses non-integer shrinks of more than 4 channels; here they take the same
// per-channel arithmetic.
#pragma once

#include <cstdint>
#include <vector>

namespace rein::envs::internal {

class AreaResize {
 public:
  // Sizes >= 1. Precomputes the weights; a call then allocates nothing.
  AreaResize(int64_t in_h, int64_t in_w, int64_t channels, int64_t out_h, int64_t out_w);
  // in: (in_h, in_w, channels) bytes, row-major; out: (out_h, out_w, channels).
  void operator()(const uint8_t* in, uint8_t* out);

 private:
  // Shrinking axis: output o takes taps [begin[o], begin[o + 1]) of (src, weight).
  struct AreaAxis {
    std::vector<int64_t> begin, src;
    std::vector<float> weight;
  };
  // Enlarging axis: output o = src0[o] * w0[o] + src1[o] * w1[o], weights in 1/2048.
  struct LinearAxis {
    std::vector<int64_t> src0, src1;
    std::vector<int32_t> w0, w1;
  };
  static AreaAxis area_axis(int64_t in, int64_t out, double scale);
  static LinearAxis linear_axis(int64_t in, int64_t out, double scale, double inv_scale,
                                bool last_pixel_alone);
  void integer_blocks(const uint8_t* in, uint8_t* out);
  void shrink(const uint8_t* in, uint8_t* out);
  void interpolate(const uint8_t* in, uint8_t* out);

  enum class Mode { IntegerBlocks, Shrink, Interpolate };
  Mode mode_;
  int64_t in_h_, in_w_, channels_, out_h_, out_w_;
  int64_t block_x_ = 0, block_y_ = 0;  // IntegerBlocks
  AreaAxis area_y_;                    // Shrink
  // Shrink, horizontally: area_x_ taps per output value, padded to the same count `taps_` with
  // weight 0 (adding 0 leaves a float sum unchanged) so that the pass vectorises. Tap k of
  // output value e reads input value tap_src_[k * row_out + e] of its row.
  int64_t taps_ = 0;
  std::vector<int32_t> tap_src_;
  std::vector<float> tap_weight_;
  std::vector<float> float_in_;       // Shrink: one input row as floats
  LinearAxis linear_x_, linear_y_;    // Interpolate
  std::vector<char> row_used_;        // input rows some output row reads
  std::vector<float> float_rows_;     // Shrink: horizontal sums of each input row
  std::vector<float> float_sum_;      // Shrink: one output row before rounding
  std::vector<int32_t> int_rows_;     // Interpolate: horizontal sums of each input row
  std::vector<int32_t> column_sums_;  // IntegerBlocks: one block row summed down
};

}  // namespace rein::envs::internal
