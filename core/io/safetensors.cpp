#include "core/io/safetensors.h"

#include <ATen/ATen.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/io/atomic_file.h"
#include "core/sys/error.h"

namespace crisp {
namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors I/O assumes little-endian");

// Hugging Face's own reader refuses headers over 100 MB; so do we.
constexpr uint64_t kMaxHeaderBytes = 100ULL * 1024 * 1024;

struct DtypeInfo {
  const char* name;
  at::ScalarType type;
  size_t bytes;
};

constexpr DtypeInfo kDtypes[] = {
    {"F64", at::kDouble, 8},    {"F32", at::kFloat, 4}, {"F16", at::kHalf, 2},
    {"BF16", at::kBFloat16, 2}, {"I64", at::kLong, 8},  {"I32", at::kInt, 4},
    {"I16", at::kShort, 2},     {"I8", at::kChar, 1},   {"U8", at::kByte, 1},
    {"BOOL", at::kBool, 1},
};

const DtypeInfo* findDtype(const std::string& name) {
  for (const auto& d : kDtypes) {
    if (name == d.name) return &d;
  }
  return nullptr;
}

const DtypeInfo& dtypeOf(at::ScalarType type, const std::string& tensor) {
  for (const auto& d : kDtypes) {
    if (d.type == type) return d;
  }
  throw Error("safetensors: tensor \"" + tensor + "\" has unsupported dtype " +
              std::string(c10::toString(type)));
}

}  // namespace

SafeTensors readSafeTensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open");
  std::error_code ec;
  const uint64_t fileSize = std::filesystem::file_size(path, ec);
  if (ec) throw Error(path + ": cannot read its size: " + ec.message());
  if (fileSize < 8) {
    throw Error(path + ": truncated safetensors file (" + std::to_string(fileSize) +
                " bytes, less than the 8-byte header length)");
  }
  unsigned char lengthBytes[8];
  in.read(reinterpret_cast<char*>(lengthBytes), 8);
  uint64_t headerLength = 0;
  for (int i = 7; i >= 0; --i) headerLength = (headerLength << 8) | lengthBytes[i];
  if (headerLength > fileSize - 8) {
    throw Error(path + ": header length " + std::to_string(headerLength) +
                " runs past the end of the " + std::to_string(fileSize) +
                "-byte file (truncated?)");
  }
  if (headerLength > kMaxHeaderBytes) {
    throw Error(path + ": header length " + std::to_string(headerLength) + " exceeds 100 MB");
  }
  std::string header(headerLength, '\0');
  in.read(header.data(), static_cast<std::streamsize>(headerLength));
  if (!in) throw Error(path + ": cannot read the header");

  SafeTensors result;
  const uint64_t dataStart = 8 + headerLength;
  const auto entries = parseSafeTensorsHeader(header, fileSize - dataStart, &result.metadata, path);
  for (const auto& e : entries) {
    at::Tensor tensor = at::empty(e.shape, at::TensorOptions().dtype(findDtype(e.dtype)->type));
    in.seekg(static_cast<std::streamoff>(dataStart + e.begin));
    in.read(static_cast<char*>(tensor.data_ptr()), static_cast<std::streamsize>(e.end - e.begin));
    if (!in) throw Error(path + ": tensor \"" + e.name + "\": cannot read its data");
    if (tensor.scalar_type() == at::kBool && tensor.numel() > 0) {
      // Any byte other than 0/1 would be undefined behaviour as a C++ bool.
      const at::Tensor bytes = tensor.view(at::kByte);
      if (bytes.gt(1).any().item<bool>()) {
        throw Error(path + ": tensor \"" + e.name + "\": BOOL data has bytes other than 0 and 1");
      }
    }
    result.tensors.emplace_back(e.name, std::move(tensor));
  }
  return result;
}

void writeSafeTensors(const std::string& path,
                      const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<at::Tensor> contiguous;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    if (name == "__metadata__" || header.contains(name)) {
      throw Error(path + ": tensor name \"" + name + "\" is reserved or repeated");
    }
    const DtypeInfo& info = dtypeOf(tensor.scalar_type(), name);
    at::Tensor data = tensor.detach().to(at::kCPU).contiguous();
    const uint64_t bytes = static_cast<uint64_t>(data.numel()) * info.bytes;
    header[name] = {{"dtype", info.name},
                    {"shape", data.sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    contiguous.push_back(std::move(data));
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // align the data section to 8 bytes
  writeFileAtomically(path, [&](std::ostream& out) {
    uint64_t length = text.size();
    char lengthBytes[8];
    for (int i = 0; i < 8; ++i) lengthBytes[i] = static_cast<char>((length >> (8 * i)) & 0xff);
    out.write(lengthBytes, 8);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const at::Tensor& data : contiguous) {
      out.write(static_cast<const char*>(data.data_ptr()),
                static_cast<std::streamsize>(data.numel() * data.element_size()));
    }
  });
}

}  // namespace crisp
