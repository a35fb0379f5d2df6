// The buffer behind every Tensor: one 64-byte aligned allocation that holds the shared_ptr
// control block, this struct and the elements together (see storage.cpp).
#pragma once

#include <cstddef>
#include <memory>

#include "tensor/tensor.h"

namespace rein::internal {

constexpr size_t kStorageAlignment = 64;  // a cache line; also enough for AVX-512 loads

struct Storage {
  void* data = nullptr;  // kStorageAlignment-aligned, nbytes long, uninitialised
  size_t nbytes = 0;

  // The storage behind a tensor (Storage is Tensor's friend: this is the one access point).
  static const std::shared_ptr<Storage>& of(const Tensor& t) { return t.storage_; }
};

// One block per call (control block + Storage + data), taken from this thread's cache of freed
// blocks of the same size class when it has one, else from the heap (storage.cpp). Never
// returns null. Thread-safe: the last reference may be dropped on any thread.
std::shared_ptr<Storage> allocate_storage(size_t nbytes);

}  // namespace rein::internal
