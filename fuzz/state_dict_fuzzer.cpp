// libFuzzer target for pytorch_model.bin (readStateDict: the zip reader with its CRC-32 check,
// then LibTorch's unpickler). A mutated archive almost always fails its CRC-32 check, which
// would keep the unpickler out of reach, so the input has two forms:
//   'Z' + a whole file (zip layer: directory, local headers, ZIP64, deflate, CRC-32);
//   'P' + a pickle, stored by this target as archive/data.pkl of a well-formed archive whose
//         archive/data/0 to 3 hold 64 bytes each, for the tensor storages the pickle names.
// An accepted state dict holds named tensors.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/state_dict.h"
#include "core/sys/error.h"
#include "fuzz/fuzz_support.h"

namespace {

void put(std::string& out, uint64_t value, int width) {
  for (int i = 0; i < width; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 255));
}

// A zip archive of stored (uncompressed) records with correct CRC-32s, laid out like
// torch.save's: local header and data per record, then the central directory.
std::string storedZip(const std::vector<std::pair<std::string, std::string_view>>& records) {
  std::string zip, directory;
  for (const auto& [name, content] : records) {
    const uint32_t crc = static_cast<uint32_t>(crc32(
        0L, reinterpret_cast<const Bytef*>(content.data()), static_cast<uInt>(content.size())));
    const uint64_t local = zip.size();
    put(zip, 0x04034b50, 4);
    put(zip, 20, 2);  // version needed
    put(zip, 0, 2);   // flags
    put(zip, 0, 2);   // method: stored
    put(zip, 0, 4);   // time, date
    put(zip, crc, 4);
    put(zip, content.size(), 4);
    put(zip, content.size(), 4);
    put(zip, name.size(), 2);
    put(zip, 0, 2);  // extra
    zip += name;
    zip += content;
    put(directory, 0x02014b50, 4);
    put(directory, 20, 2);  // version made by
    put(directory, 20, 2);  // version needed
    put(directory, 0, 2);
    put(directory, 0, 2);
    put(directory, 0, 4);
    put(directory, crc, 4);
    put(directory, content.size(), 4);
    put(directory, content.size(), 4);
    put(directory, name.size(), 2);
    put(directory, 0, 2);  // extra
    put(directory, 0, 2);  // comment
    put(directory, 0, 2);  // disk
    put(directory, 0, 2);  // internal attributes
    put(directory, 0, 4);  // external attributes
    put(directory, local, 4);
    directory += name;
  }
  const uint64_t directoryOffset = zip.size();
  zip += directory;
  put(zip, 0x06054b50, 4);
  put(zip, 0, 4);  // disk numbers
  put(zip, records.size(), 2);
  put(zip, records.size(), 2);
  put(zip, directory.size(), 4);
  put(zip, directoryOffset, 4);
  put(zip, 0, 2);  // comment
  return zip;
}

}  // namespace

// LibTorch 1.13's zip reader leaks its 152-byte reader state whenever it refuses an archive
// (e.g. one without data.pkl): not crisp's allocation, and not fixable here.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libtorch_cpu.so\n";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || (data[0] != 'Z' && data[0] != 'P')) return 0;
  const std::string_view body = crisp::fuzz::bytes(data + 1, size - 1);
  static const std::string storage(64, '\0');
  const std::string file = data[0] == 'Z' ? std::string(body)
                                          : storedZip({{"archive/data.pkl", body},
                                                       {"archive/data/0", storage},
                                                       {"archive/data/1", storage},
                                                       {"archive/data/2", storage},
                                                       {"archive/data/3", storage},
                                                       {"archive/version", "3\n"}});
  const std::string path = crisp::fuzz::writeScratchFile("pytorch_model.bin", file);
  try {
    for (const auto& [name, tensor] : crisp::readStateDict(path)) {
      crisp::fuzz::require(tensor.defined());
    }
    crisp::fuzz::tally(true);
  } catch (const crisp::Error&) {
    crisp::fuzz::tally(false);
  }
  return 0;
}
