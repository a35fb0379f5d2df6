// ObsEncoder: observation batches -> float32 feature rows.
#include "rl/internal/obs_encoder.h"

#include <algorithm>

namespace rein::rl::internal {
namespace {

// (K, H, W, C) pixels -> plane k * C + c of (K C, H, W) = `image_shape`: HWC to CHW per frame,
// each pixel through `convert`.
template <typename Out, typename Convert>
void to_channels_first(const uint8_t* p, const std::vector<int64_t>& image_shape, int64_t C,
                       Out* out, Convert convert) {
  const int64_t hw = image_shape[1] * image_shape[2];
  const int64_t frames = image_shape[0] / C;
  for (int64_t k = 0; k < frames; ++k, p += hw * C)
    for (int64_t c = 0; c < C; ++c) {
      Out* plane = out + (k * C + c) * hw;
      for (int64_t i = 0; i < hw; ++i) plane[i] = convert(p[i * C + c]);
    }
}

}  // namespace

bool is_image_space(const envs::Space& space) {
  if (!space.is_box() || space.dtype() != Dtype::UInt8) return false;
  const envs::Box& b = space.box();
  const size_t rank = b.shape.size();
  return rank >= 2 && rank <= 4 &&
         std::all_of(b.low.begin(), b.low.end(), [](double v) { return v == 0; }) &&
         std::all_of(b.high.begin(), b.high.end(), [](double v) { return v == 255; });
}

ObsEncoder::ObsEncoder(const envs::Space& space, std::string_view env_id, bool image)
    : space_(space) {
  if (image) {
    if (!is_image_space(space)) {
      throw Error(str(env_id,
                      ": CnnPolicy needs image observations (a uint8 Box (H, W), (H, W, C) "
                      "or stacked (K, H, W, C) in [0, 255]), got ",
                      space.to_string()));
    }
    const Shape& s = space.box().shape;
    const int64_t rank = static_cast<int64_t>(s.size());
    const int64_t frames = rank == 4 ? s[0] : 1;
    const int64_t h = s[rank == 4 ? 1 : 0], w = s[rank == 4 ? 2 : 1];
    pixel_channels_ = rank >= 3 ? s[rank - 1] : 1;
    image_shape_ = {frames * pixel_channels_, h, w};
    dim_ = elems_ = space.flat_dim();
    return;
  }
  switch (space.kind()) {
    case envs::SpaceKind::Box:
      dim_ = elems_ = space.flat_dim();
      break;
    case envs::SpaceKind::Discrete:
      elems_ = 1;
      dim_ = space.discrete().n;
      break;
    case envs::SpaceKind::MultiDiscrete: {
      const auto& nvec = space.multi_discrete().nvec;
      elems_ = static_cast<int64_t>(nvec.size());
      for (int64_t n : nvec) {
        offsets_.push_back(dim_);
        dim_ += n;
      }
      break;
    }
  }
  if (dim_ <= 0) throw Error(str(env_id, ": observation space ", space.to_string(), " is empty"));
}

void ObsEncoder::encode_row(const Tensor& batch, int64_t row, float* out) const {
  const Tensor b = batch.is_contiguous() ? batch : batch.contiguous();
  if (!image_shape_.empty()) {
    to_channels_first(b.data<uint8_t>() + row * elems_, image_shape_, pixel_channels_, out,
                      [](uint8_t k) { return static_cast<float>(k) / 255.0f; });
    return;
  }
  switch (space_.kind()) {
    case envs::SpaceKind::Box:
      if (b.dtype() == Dtype::Float32) {
        std::copy_n(b.data<float>() + row * elems_, elems_, out);
      } else if (b.dtype() == Dtype::Float64) {
        const double* p = b.data<double>() + row * elems_;
        for (int64_t j = 0; j < elems_; ++j) out[j] = static_cast<float>(p[j]);
      } else if (b.dtype() == Dtype::UInt8) {
        const uint8_t* p = b.data<uint8_t>() + row * elems_;
        for (int64_t j = 0; j < elems_; ++j) out[j] = static_cast<float>(p[j]);
      } else {
        const int64_t* p = b.data<int64_t>() + row * elems_;
        for (int64_t j = 0; j < elems_; ++j) out[j] = static_cast<float>(p[j]);
      }
      return;
    case envs::SpaceKind::Discrete: {
      std::fill_n(out, dim_, 0.0f);
      const int64_t v = b.data<int64_t>()[row] - space_.discrete().start;
      if (v >= 0 && v < dim_) out[v] = 1.0f;
      return;
    }
    case envs::SpaceKind::MultiDiscrete: {
      std::fill_n(out, dim_, 0.0f);
      const int64_t* p = b.data<int64_t>() + row * elems_;
      const auto& nvec = space_.multi_discrete().nvec;
      for (int64_t j = 0; j < elems_; ++j)
        if (p[j] >= 0 && p[j] < nvec[j]) out[offsets_[j] + p[j]] = 1.0f;
      return;
    }
  }
}

void ObsEncoder::pixels_row(const Tensor& batch, int64_t row, uint8_t* out) const {
  if (image_shape_.empty()) throw Error("ObsEncoder::pixels_row: not an image encoder");
  const Tensor b = batch.is_contiguous() ? batch : batch.contiguous();
  to_channels_first(b.data<uint8_t>() + row * elems_, image_shape_, pixel_channels_, out,
                    [](uint8_t k) { return k; });
}

void ObsEncoder::encode(const Tensor& batch, float* out) const {
  const int64_t rows = batch.size(0);
  if (space_.is_box() && batch.dtype() == Dtype::Float32 && batch.is_contiguous()) {
    std::copy_n(batch.data<float>(), rows * elems_, out);  // the common case: one copy
    return;
  }
  for (int64_t r = 0; r < rows; ++r) encode_row(batch, r, out + r * dim_);
}

}  // namespace rein::rl::internal
