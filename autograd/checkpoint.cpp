// safetensors reader/writer and module/optimizer checkpoints (format: docs/CHECKPOINTS.md).
#include "autograd/checkpoint.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "autograd/module.h"
#include "autograd/optim.h"
#include "base/files.h"

namespace rein {
namespace {

static_assert(std::endian::native == std::endian::little,
              "safetensors stores little-endian data; add byte swapping for this platform");

const char* st_dtype(Dtype d) {
  switch (d) {
    case Dtype::Float32:
      return "F32";
    case Dtype::Float64:
      return "F64";
    case Dtype::Int64:
      return "I64";
    case Dtype::Bool:
      return "BOOL";
    case Dtype::UInt8:
      return "U8";
  }
  return "?";
}

bool parse_dtype(const std::string& s, Dtype* out) {
  if (s == "F32")
    *out = Dtype::Float32;
  else if (s == "F64")
    *out = Dtype::Float64;
  else if (s == "I64")
    *out = Dtype::Int64;
  else if (s == "BOOL")
    *out = Dtype::Bool;
  else if (s == "U8")
    *out = Dtype::UInt8;
  else
    return false;
  return true;
}

void write_all(int fd, const char* data, size_t n, const std::string& path) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      throw Error(str("save_safetensors: writing '", path, "' failed: ", std::strerror(errno)));
    }
    data += w;
    n -= static_cast<size_t>(w);
  }
}

}  // namespace

void save_safetensors(const std::string& path,
                      const std::vector<std::pair<std::string, Tensor>>& tensors,
                      const Metadata& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::set<std::string> seen;
  std::vector<Tensor> blobs;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    if (name.empty() || name == "__metadata__" || !seen.insert(name).second) {
      throw Error(str("save_safetensors: tensor name '", name, "' is empty, reserved or repeated"));
    }
    if (!t.defined()) throw Error(str("save_safetensors: tensor '", name, "' is undefined"));
    Tensor c = t.contiguous();
    const uint64_t bytes = static_cast<uint64_t>(c.numel()) * element_size(c.dtype());
    header[name] = {{"dtype", st_dtype(c.dtype())},
                    {"shape", c.shape().to_vector()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    blobs.push_back(std::move(c));
  }
  std::string json = header.dump();
  json.append((8 - json.size() % 8) % 8, ' ');  // keeps the data 8-byte aligned, as safetensors
  const uint64_t n = json.size();
  char len[8];
  std::memcpy(len, &n, 8);

  check_output_file(path, "save_safetensors");
  const std::string tmp = str(path, ".tmp.", ::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw Error(str("save_safetensors: cannot create '", tmp, "': ", std::strerror(errno)));
  }
  try {
    write_all(fd, len, 8, tmp);
    write_all(fd, json.data(), json.size(), tmp);
    for (const Tensor& c : blobs) {
      write_all(fd, static_cast<const char*>(c.raw_data()),
                static_cast<size_t>(c.numel()) * element_size(c.dtype()), tmp);
    }
    if (::fsync(fd) != 0) {
      throw Error(str("save_safetensors: fsync of '", tmp, "' failed: ", std::strerror(errno)));
    }
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw Error(
        str("save_safetensors: cannot rename '", tmp, "' to '", path, "': ", std::strerror(err)));
  }
}

std::vector<std::string> remove_stale_temporaries(const std::string& dir) {
  std::vector<std::string> removed;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const size_t at = name.rfind(".tmp.");
    if (at == std::string::npos || at + 5 == name.size()) continue;
    const std::string digits = name.substr(at + 5);
    if (digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), ::isdigit)) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(digits));
    if (pid <= 0 || !(::kill(pid, 0) != 0 && errno == ESRCH)) continue;  // alive, or unknown
    std::error_code rm;
    if (entry.is_regular_file(rm) && std::filesystem::remove(entry.path(), rm))
      removed.push_back(entry.path().string());
  }
  return removed;
}

SafetensorsFile load_safetensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(str("load_safetensors: cannot open '", path, "'"));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 8) throw Error(str("load_safetensors: '", path, "' is truncated (no header)"));
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  if (n > bytes.size() - 8) {
    throw Error(str("load_safetensors: '", path, "' header length ", n, " exceeds the file size ",
                    bytes.size()));
  }
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<int64_t>(n));
  } catch (const std::exception& e) {
    throw Error(str("load_safetensors: '", path, "' has a malformed JSON header: ", e.what()));
  }
  if (!header.is_object())
    throw Error(str("load_safetensors: '", path, "' header is not an object"));
  const char* data = bytes.data() + 8 + n;
  const uint64_t data_size = bytes.size() - 8 - n;

  SafetensorsFile file;
  std::vector<std::pair<uint64_t, std::pair<std::string, Tensor>>> ordered;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      if (!it.value().is_object())
        throw Error(str("load_safetensors: '", path, "' __metadata__ is not an object"));
      for (auto m = it.value().begin(); m != it.value().end(); ++m) {
        if (!m.value().is_string()) {
          throw Error(
              str("load_safetensors: '", path, "' metadata '", m.key(), "' is not a string"));
        }
        file.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const auto& e = it.value();
    Dtype dtype;
    try {
      if (!parse_dtype(e.at("dtype").get<std::string>(), &dtype)) {
        throw Error(str("load_safetensors: '", path, "' tensor '", it.key(), "' has dtype ",
                        e.at("dtype").get<std::string>(), " (rein reads F32, F64, I64, BOOL)"));
      }
      const auto dims = e.at("shape").get<std::vector<int64_t>>();
      // The sizes are untrusted: each must be >= 0 and the byte count must fit in the data
      // section before a tensor of that shape is allocated (no overflow, no huge allocation).
      uint64_t expected = element_size(dtype);
      for (int64_t d : dims) {
        if (d < 0 || dims.size() > static_cast<size_t>(kMaxDims))
          throw Error(str("load_safetensors: '", path, "' tensor '", it.key(), "' has shape ",
                          e.at("shape").dump(), " (sizes must be >= 0, at most ", kMaxDims,
                          " dims)"));
        if (d > 0 && expected > data_size / static_cast<uint64_t>(d))
          expected = data_size + 1;
        else
          expected *= static_cast<uint64_t>(d);
      }
      Shape shape(dims);
      auto offs = e.at("data_offsets").get<std::vector<uint64_t>>();
      if (offs.size() != 2 || offs[0] > offs[1] || offs[1] > data_size ||
          offs[1] - offs[0] != expected) {
        throw Error(str("load_safetensors: '", path, "' tensor '", it.key(),
                        "' has data offsets out of range or not matching its shape ", shape));
      }
      if (dtype == Dtype::Bool) {  // any other byte is not a bool: reading it is undefined
        const auto* b = reinterpret_cast<const unsigned char*>(data + offs[0]);
        for (uint64_t k = 0; k < expected; ++k)
          if (b[k] > 1)
            throw Error(str("load_safetensors: '", path, "' tensor '", it.key(), "' element ", k,
                            " is byte ", int(b[k]), ", a BOOL must be 0 or 1"));
      }
      Tensor t(shape, dtype);
      if (expected > 0) {
        std::memcpy(t.raw_data(), data + offs[0], expected);
      }
      ordered.push_back({offs[0], {it.key(), std::move(t)}});
    } catch (const nlohmann::json::exception& ex) {
      throw Error(str("load_safetensors: '", path, "' tensor '", it.key(),
                      "' has a malformed entry: ", ex.what()));
    }
  }
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [off, entry] : ordered) file.tensors.push_back(std::move(entry));
  return file;
}

namespace {
const std::string kOptimizerPrefix = "optimizer.";
}

void save_checkpoint(const std::string& path, const nn::Module& module,
                     const optim::Optimizer* optimizer, const Metadata& metadata) {
  std::vector<std::pair<std::string, Tensor>> tensors = module.state_dict();
  Metadata meta = metadata;
  if (optimizer != nullptr) {
    for (auto& [name, t] : optimizer->state_dict())
      tensors.emplace_back(kOptimizerPrefix + name, t);
    meta["optimizer"] = optimizer->name();
  }
  save_safetensors(path, tensors, meta);
}

Metadata load_checkpoint(const std::string& path, nn::Module& module, optim::Optimizer* optimizer) {
  SafetensorsFile file = load_safetensors(path);
  nn::NamedTensors model_state;
  std::vector<std::pair<std::string, Tensor>> optim_state;
  for (auto& [name, t] : file.tensors) {
    if (name.rfind(kOptimizerPrefix, 0) == 0) {
      optim_state.emplace_back(name.substr(kOptimizerPrefix.size()), t);
    } else {
      model_state.emplace_back(name, t);
    }
  }
  try {
    module.load_state_dict(model_state);
  } catch (const Error& e) {
    throw Error(str("load_checkpoint: '", path, "': ", e.what()));
  }
  if (optimizer != nullptr) {
    if (optim_state.empty()) {
      throw Error(str("load_checkpoint: '", path,
                      "' has no optimizer state (missing: ", kOptimizerPrefix, "step)"));
    }
    try {
      optimizer->load_state_dict(optim_state);
    } catch (const Error& e) {
      throw Error(str("load_checkpoint: '", path, "': ", e.what()));
    }
  }
  return file.metadata;
}

}  // namespace rein
