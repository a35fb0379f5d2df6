// Checkpoints in the safetensors format (docs/CHECKPOINTS.md): an 8-byte little-endian header
// length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {str: str}}, then
// the raw little-endian tensor bytes. Readable by other tools (safetensors, numpy).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tensor/tensor.h"

namespace rein {

namespace nn {
class Module;
}
namespace optim {
class Optimizer;
}

// String metadata stored in the header's "__metadata__" (config, step counters, ...).
using Metadata = std::map<std::string, std::string>;

struct SafetensorsFile {
  std::vector<std::pair<std::string, Tensor>> tensors;  // in file order (sorted by offset)
  Metadata metadata;
};

// Writes tensors (any strides; float32 "F32", float64 "F64", int64 "I64", bool "BOOL") to
// path via a temporary file in the same directory and a rename, so a crash never leaves a
// half-written checkpoint. Names must be unique and non-empty. Throws rein::Error on I/O errors.
void save_safetensors(const std::string& path,
                      const std::vector<std::pair<std::string, Tensor>>& tensors,
                      const Metadata& metadata = {});
// Deletes the temporaries "<name>.tmp.<pid>" that save_safetensors writers killed mid-write left
// in `dir`, when process <pid> no longer exists on this host (a live writer's file is kept).
// Returns the paths deleted; a missing `dir` is not an error.
std::vector<std::string> remove_stale_temporaries(const std::string& dir);
// Reads a whole file. Throws rein::Error naming the file and the problem (truncated, bad JSON,
// unknown dtype, offsets out of range).
SafetensorsFile load_safetensors(const std::string& path);

// A module's state_dict() under its own names ("0.weight"), and, if given, the optimizer's
// state under "optimizer.<name>" (with the optimizer's name in metadata "optimizer").
void save_checkpoint(const std::string& path, const nn::Module& module,
                     const optim::Optimizer* optimizer = nullptr, const Metadata& metadata = {});
// Loads into an existing module (and optimizer): strict, so a missing, unexpected or
// mis-shaped tensor throws rein::Error naming each of them. Optimizer entries are ignored when
// no optimizer is given. Returns the metadata.
Metadata load_checkpoint(const std::string& path, nn::Module& module,
                         optim::Optimizer* optimizer = nullptr);

}  // namespace rein
