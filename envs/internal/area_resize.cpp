// AreaResize: OpenCV 4.6's INTER_AREA on uint8 images, same arithmetic (see area_resize.h).
// Built with -ffp-contract=off (rein_envs): OpenCV's baseline x86-64 build has no FMA, so every
// float product is rounded before it is added, here too.
#include "envs/internal/area_resize.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace rein::envs::internal {

namespace {

// OpenCV's saturate_cast<uchar>(float) for the non-negative sums here: cvRound (nearest, halves
// to even), then clamped. Adding and taking away 2^23 rounds a float in [0, 2^23) to an integer
// the same way, in plain arithmetic the compiler can vectorise (lrint is a library call).
uint8_t round_to_uint8(float v) {
  constexpr float kTwo23 = 8388608.0f;
  return static_cast<uint8_t>(std::min((v + kTwo23) - kTwo23, 255.0f));
}

// OpenCV's saturate_cast<short>(w * INTER_RESIZE_COEF_SCALE): a weight in 1/2048, float product.
int32_t fixed_weight(float w) {
  return static_cast<int32_t>(std::clamp<long>(std::lrint(w * 2048.0f), -32768, 32767));
}

}  // namespace

AreaResize::AreaAxis AreaResize::area_axis(int64_t in, int64_t out, double scale) {
  // Output o covers [o * scale, o * scale + scale) of the input; each input pixel weighs its
  // overlap over the covered width (shorter at the far edge), slivers under 1e-3 left out.
  AreaAxis a;
  auto tap = [&](int64_t src, float weight) {
    a.src.push_back(src);
    a.weight.push_back(weight);
  };
  a.begin.push_back(0);
  for (int64_t o = 0; o < out; ++o) {
    const double lo = static_cast<double>(o) * scale, hi = lo + scale;
    const double cell = std::min(scale, static_cast<double>(in) - lo);
    const int64_t last = std::min(static_cast<int64_t>(std::floor(hi)), in - 1);
    const int64_t first = std::min(static_cast<int64_t>(std::ceil(lo)), last);
    if (static_cast<double>(first) - lo > 1e-3)
      tap(first - 1, static_cast<float>((static_cast<double>(first) - lo) / cell));
    for (int64_t i = first; i < last; ++i) tap(i, static_cast<float>(1.0 / cell));
    if (hi - static_cast<double>(last) > 1e-3)
      tap(last,
          static_cast<float>(std::min(std::min(hi - static_cast<double>(last), 1.0), cell) / cell));
    a.begin.push_back(static_cast<int64_t>(a.src.size()));
  }
  return a;
}

AreaResize::LinearAxis AreaResize::linear_axis(int64_t in, int64_t out, double scale,
                                               double inv_scale, bool last_pixel_alone) {
  // OpenCV's area mode of its linear resize: output o starts in input pixel floor(o * scale);
  // the second tap weighs the fractional part of how far the output reaches past that pixel.
  // Horizontally a start in the last pixel takes that pixel alone; vertically the second row is
  // clamped to the last one but keeps its weight.
  LinearAxis a;
  for (int64_t o = 0; o < out; ++o) {
    int64_t s = static_cast<int64_t>(std::floor(static_cast<double>(o) * scale));
    float f =
        static_cast<float>(static_cast<double>(o + 1) - static_cast<double>(s + 1) * inv_scale);
    f = f <= 0 ? 0.0f : f - std::floor(f);
    if (last_pixel_alone && s >= in - 1) {
      s = in - 1;
      f = 0.0f;
    }
    a.src0.push_back(std::min(s, in - 1));
    a.src1.push_back(std::min(s + 1, in - 1));
    a.w0.push_back(fixed_weight(1.0f - f));
    a.w1.push_back(fixed_weight(f));
  }
  return a;
}

AreaResize::AreaResize(int64_t in_h, int64_t in_w, int64_t channels, int64_t out_h, int64_t out_w)
    : in_h_(in_h), in_w_(in_w), channels_(channels), out_h_(out_h), out_w_(out_w) {
  // The factors as OpenCV derives them from the sizes, rounding included.
  const double inv_x = static_cast<double>(out_w) / static_cast<double>(in_w);
  const double inv_y = static_cast<double>(out_h) / static_cast<double>(in_h);
  const double scale_x = 1.0 / inv_x, scale_y = 1.0 / inv_y;
  const double int_x = std::nearbyint(scale_x), int_y = std::nearbyint(scale_y);
  const bool integer =
      std::abs(scale_x - int_x) < DBL_EPSILON && std::abs(scale_y - int_y) < DBL_EPSILON;
  row_used_.assign(static_cast<size_t>(in_h), 0);
  const auto row_out = static_cast<size_t>(out_w * channels);
  if (scale_x >= 1 && scale_y >= 1 && integer) {
    mode_ = Mode::IntegerBlocks;
    block_x_ = static_cast<int64_t>(int_x);
    block_y_ = static_cast<int64_t>(int_y);
    column_sums_.resize(static_cast<size_t>(in_w * channels));
  } else if (scale_x >= 1 && scale_y >= 1) {
    mode_ = Mode::Shrink;
    const AreaAxis area_x = area_axis(in_w, out_w, scale_x);
    for (int64_t o = 0; o < out_w; ++o)
      taps_ = std::max(
          taps_, area_x.begin[static_cast<size_t>(o) + 1] - area_x.begin[static_cast<size_t>(o)]);
    tap_src_.assign(static_cast<size_t>(taps_) * row_out, 0);
    tap_weight_.assign(static_cast<size_t>(taps_) * row_out, 0.0f);
    for (int64_t o = 0; o < out_w; ++o) {
      const int64_t first = area_x.begin[static_cast<size_t>(o)];
      const int64_t count = area_x.begin[static_cast<size_t>(o) + 1] - first;
      for (int64_t k = 0; k < taps_; ++k) {
        // Padding taps repeat the last real one with weight 0.
        const auto tap = static_cast<size_t>(first + std::min(k, count - 1));
        for (int64_t c = 0; c < channels; ++c) {
          const auto at = static_cast<size_t>(k) * row_out + static_cast<size_t>(o * channels + c);
          tap_src_[at] = static_cast<int32_t>(area_x.src[tap] * channels + c);
          tap_weight_[at] = k < count ? area_x.weight[tap] : 0.0f;
        }
      }
    }
    area_y_ = area_axis(in_h, out_h, scale_y);
    float_in_.resize(static_cast<size_t>(in_w * channels));
    for (int64_t s : area_y_.src) row_used_[static_cast<size_t>(s)] = 1;
    float_rows_.resize(static_cast<size_t>(in_h) * row_out);
    float_sum_.resize(row_out);
  } else {
    mode_ = Mode::Interpolate;
    linear_x_ = linear_axis(in_w, out_w, scale_x, inv_x, true);
    linear_y_ = linear_axis(in_h, out_h, scale_y, inv_y, false);
    for (int64_t s : linear_y_.src0) row_used_[static_cast<size_t>(s)] = 1;
    for (int64_t s : linear_y_.src1) row_used_[static_cast<size_t>(s)] = 1;
    int_rows_.resize(static_cast<size_t>(in_h) * row_out);
  }
}

void AreaResize::operator()(const uint8_t* in, uint8_t* out) {
  switch (mode_) {
    case Mode::IntegerBlocks:
      return integer_blocks(in, out);
    case Mode::Shrink:
      return shrink(in, out);
    case Mode::Interpolate:
      return interpolate(in, out);
  }
}

void AreaResize::integer_blocks(const uint8_t* in, uint8_t* out) {
  // Integer sums are exact in any order: each block row is summed down, then across.
  const int64_t C = channels_, row_in = in_w_ * C, area = block_x_ * block_y_;
  const bool halves_up = block_x_ == 2 && block_y_ == 2 && (C == 1 || C == 3 || C == 4);
  const float scale = 1.0f / static_cast<float>(area);
  int32_t* sums = column_sums_.data();
  for (int64_t oy = 0; oy < out_h_; ++oy) {
    const uint8_t* rows = in + oy * block_y_ * row_in;
    std::fill(sums, sums + row_in, 0);
    for (int64_t y = 0; y < block_y_; ++y)
      for (int64_t i = 0; i < row_in; ++i) sums[i] += rows[y * row_in + i];
    for (int64_t ox = 0; ox < out_w_; ++ox) {
      for (int64_t c = 0; c < C; ++c) {
        // OpenCV sums in int; wider here only to stay defined past 2^31.
        int64_t sum = 0;
        for (int64_t x = 0; x < block_x_; ++x) sum += sums[(ox * block_x_ + x) * C + c];
        *out++ = halves_up ? static_cast<uint8_t>((sum + 2) >> 2)
                           : round_to_uint8(static_cast<float>(sum) * scale);
      }
    }
  }
}

void AreaResize::shrink(const uint8_t* in, uint8_t* out) {
  const int64_t C = channels_, row_out = out_w_ * C;
  // Horizontal: each output value the float32 sum, in tap order, of input value * weight.
  float* row_in = float_in_.data();
  for (int64_t y = 0; y < in_h_; ++y) {
    if (!row_used_[static_cast<size_t>(y)]) continue;
    const uint8_t* src = in + y * in_w_ * C;
    for (int64_t i = 0; i < in_w_ * C; ++i) row_in[i] = static_cast<float>(src[i]);
    float* dst = float_rows_.data() + y * row_out;
    for (int64_t k = 0; k < taps_; ++k) {
      const int32_t* at = tap_src_.data() + k * row_out;
      const float* w = tap_weight_.data() + k * row_out;
      if (k == 0) {
        for (int64_t e = 0; e < row_out; ++e) dst[e] = row_in[at[e]] * w[e];
      } else {
        for (int64_t e = 0; e < row_out; ++e) dst[e] += row_in[at[e]] * w[e];
      }
    }
  }
  // Vertical: the covered rows' sums times their weights, added in tap order.
  float* sum = float_sum_.data();
  for (int64_t oy = 0; oy < out_h_; ++oy, out += row_out) {
    const auto k0 = static_cast<size_t>(area_y_.begin[static_cast<size_t>(oy)]);
    const auto k1 = static_cast<size_t>(area_y_.begin[static_cast<size_t>(oy) + 1]);
    for (size_t k = k0; k < k1; ++k) {
      const float* row = float_rows_.data() + area_y_.src[k] * row_out;
      const float w = area_y_.weight[k];
      if (k == k0) {
        for (int64_t i = 0; i < row_out; ++i) sum[i] = w * row[i];
      } else {
        for (int64_t i = 0; i < row_out; ++i) sum[i] += w * row[i];
      }
    }
    for (int64_t i = 0; i < row_out; ++i) out[i] = round_to_uint8(sum[i]);
  }
}

void AreaResize::interpolate(const uint8_t* in, uint8_t* out) {
  const int64_t C = channels_, row_out = out_w_ * C;
  for (int64_t y = 0; y < in_h_; ++y) {
    if (!row_used_[static_cast<size_t>(y)]) continue;
    const uint8_t* src = in + y * in_w_ * C;
    int32_t* dst = int_rows_.data() + y * row_out;
    for (int64_t ox = 0; ox < out_w_; ++ox, dst += C) {
      const auto o = static_cast<size_t>(ox);
      const uint8_t* s0 = src + linear_x_.src0[o] * C;
      const uint8_t* s1 = src + linear_x_.src1[o] * C;
      for (int64_t c = 0; c < C; ++c) dst[c] = s0[c] * linear_x_.w0[o] + s1[c] * linear_x_.w1[o];
    }
  }
  // OpenCV's fixed-point vertical step: each row scaled down by 16, multiplied by its 11-bit
  // weight keeping the high 16 bits, the two added and rounded by 4 (2^(4 + 16 + 2) = 2048^2).
  for (int64_t oy = 0; oy < out_h_; ++oy, out += row_out) {
    const auto o = static_cast<size_t>(oy);
    const int32_t* r0 = int_rows_.data() + linear_y_.src0[o] * row_out;
    const int32_t* r1 = int_rows_.data() + linear_y_.src1[o] * row_out;
    const int32_t b0 = linear_y_.w0[o], b1 = linear_y_.w1[o];
    for (int64_t i = 0; i < row_out; ++i) {
      const int32_t v = (((b0 * (r0[i] >> 4)) >> 16) + ((b1 * (r1[i] >> 4)) >> 16) + 2) >> 2;
      out[i] = static_cast<uint8_t>(std::clamp(v, 0, 255));
    }
  }
}

}  // namespace rein::envs::internal
