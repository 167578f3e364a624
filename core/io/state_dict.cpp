#include "core/io/state_dict.h"

#include <ATen/ATen.h>
#include <torch/serialize.h>
#include <zlib.h>

#include <fstream>
#include <iterator>
#include <string_view>

#include "core/io/safetensors.h"
#include "core/sys/error.h"
#include "core/sys/parse.h"

namespace crisp {
namespace {

uint64_t littleEndian(const char* bytes, int width) {
  uint64_t value = 0;
  for (int i = width - 1; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

// The CRC-32 of a record's uncompressed bytes: stored as is (what torch.save writes) or deflated.
// With `content`, also its uncompressed bytes, at most `expectedSize` of them.
uint32_t recordCrc(const char* data, uint64_t size, int method, const std::string& where,
                   std::string* content = nullptr, uint64_t expectedSize = 0) {
  uLong crc = crc32(0L, Z_NULL, 0);
  if (method == 0 && content != nullptr) content->assign(data, size);
  if (method == 0) {
    for (uint64_t done = 0; done < size;) {
      const uInt chunk = static_cast<uInt>(std::min<uint64_t>(size - done, 1u << 30));
      crc = crc32(crc, reinterpret_cast<const Bytef*>(data + done), chunk);
      done += chunk;
    }
    return static_cast<uint32_t>(crc);
  }
  if (method != 8)
    throw Error(where + ": unsupported zip compression method " + std::to_string(method));
  z_stream stream{};
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) throw Error(where + ": cannot start inflating");
  std::vector<Bytef> out(1 << 16);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
  stream.avail_in = static_cast<uInt>(std::min<uint64_t>(size, UINT32_MAX));
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = out.data();
    stream.avail_out = static_cast<uInt>(out.size());
    status = inflate(&stream, Z_NO_FLUSH);
    const uInt produced = static_cast<uInt>(out.size() - stream.avail_out);
    crc = crc32(crc, out.data(), produced);
    if (content != nullptr) {
      if (content->size() + produced > expectedSize) {
        inflateEnd(&stream);
        throw Error(where + ": inflates past its recorded size");
      }
      content->append(reinterpret_cast<const char*>(out.data()), produced);
    }
  }
  inflateEnd(&stream);
  if (status != Z_STREAM_END) throw Error(where + ": corrupt deflated data");
  return static_cast<uint32_t>(crc);
}

// The argument that follows a pickle opcode: `width` bytes (a length prefix when
// lengthPrefixed, its payload then follows), or -N lines of text. `known` is false for a byte
// that is no opcode of protocols 0 to 4.
struct PickleArgument {
  int width = 0;
  bool lengthPrefixed = false;
  bool known = true;
};

PickleArgument pickleArgument(unsigned char op) {
  // Opcodes by the argument they take (Python's pickletools lists them all).
  const auto in = [op](std::string_view opcodes) {
    return opcodes.find(static_cast<char>(op)) != std::string_view::npos;
  };
  if (in("(.012NQRabd}el]ost)u\x81\x85\x86\x87\x88\x89\x8f\x90\x91\x92\x93\x94")) return {};
  if (in("FILPSVgp")) return {-1};
  if (in("ci")) return {-2};
  if (in("Khq\x80\x82")) return {1};
  if (in("M\x83")) return {2};
  if (in("Jjr\x84")) return {4};
  if (in("G\x95")) return {8};
  if (in("UC\x8a\x8c")) return {1, true};
  if (in("TXB\x8b")) return {4, true};
  if (in("\x8d\x8e")) return {8, true};
  return {0, false, false};
}

// Walks a state dict's pickle opcode by opcode before LibTorch's unpickler sees it, which trusts
// the file where it should not:
//  - it sizes buffers from the file's own numbers before checking them against the data: a
//    string's length prefix, or a memo index (LONG_BINPUT 0xFFFFFFF0 makes room for 2^32
//    entries, 64 GB, from a 10-byte pickle that passes every CRC check). Each length must fit in
//    the rest of the pickle, and each memo index must be below the number of opcodes read so
//    far, as a pickler numbers its memo entries 0, 1, 2, ...
//  - it pops its stack without looking: a BUILD with one object on the stack corrupted the heap.
//    Each opcode must find the values it takes above the last MARK, and those that take
//    everything above a MARK must have one.
// Opcodes LibTorch does not read (INST, OBJ, EXT1/2/4, NEWOBJ_EX) are refused here too.
void checkPickle(std::string_view pickle, const std::string& where) {
  const auto fail = [&](uint64_t at, const std::string& what) -> void {
    throw Error(where + ": malformed pickle at byte " + std::to_string(at) + ": " + what);
  };
  const auto name = [](unsigned char op) {  // 'b', or 0x81 where not printable
    if (op > ' ' && op < 0x7f) return "opcode '" + std::string(1, static_cast<char>(op)) + "'";
    const char digits[] = "0123456789abcdef";
    return std::string("opcode 0x") + digits[op >> 4] + digits[op & 15];
  };
  uint64_t at = 0, opcodes = 0, depth = 0;  // depth: values on the stack, marks not counted
  std::vector<uint64_t> marks;              // the depth at each MARK still open
  while (at < pickle.size()) {
    const uint64_t start = at;
    const unsigned char op = static_cast<unsigned char>(pickle[at++]);
    ++opcodes;
    const PickleArgument argument = pickleArgument(op);
    if (!argument.known) fail(start, "unknown " + name(op));
    if (argument.width < 0) {  // newline-terminated text
      for (int line = 0; line < -argument.width; ++line) {
        const auto end = pickle.find('\n', at);
        if (end == std::string_view::npos) fail(start, "a text argument without its newline");
        at = end + 1;
      }
    } else {
      const uint64_t width = static_cast<uint64_t>(argument.width);
      if (width > pickle.size() - at) fail(start, "truncated argument");
      const uint64_t value = littleEndian(pickle.data() + at, argument.width);
      at += width;
      if (argument.lengthPrefixed) {
        if (value > pickle.size() - at) {
          fail(start,
               "a length of " + std::to_string(value) + " bytes, past the end of the pickle");
        }
        at += value;
      } else if ((op == 'q' || op == 'r') && value >= opcodes) {
        fail(start, "memo index " + std::to_string(value) + " after only " +
                        std::to_string(opcodes) + " opcodes");
      }
    }
    // The stack: `take` values above the last MARK, then `give` back.
    const auto effect = [&](uint64_t take, uint64_t give) {
      if (depth - (marks.empty() ? 0 : marks.back()) < take) {
        fail(start,
             name(op) + " takes " + std::to_string(take) + " values from a stack that holds fewer");
      }
      depth = depth - take + give;
    };
    const auto popMark = [&] {
      if (marks.empty()) fail(start, name(op) + " without its MARK");
      const uint64_t above = depth - marks.back();
      depth = marks.back();
      marks.pop_back();
      return above;
    };
    const auto in = [op](std::string_view set) {
      return set.find(static_cast<char>(op)) != std::string_view::npos;
    };
    if (op == '.') {  // STOP: the unpickler returns the top value and reads no further
      effect(1, 1);
      return;
    } else if (op == '(') {
      marks.push_back(depth);
    } else if (op == '1') {
      popMark();
    } else if (in("tld\x91")) {  // TUPLE, LIST, DICT, FROZENSET: the values above the mark
      popMark();
      effect(0, 1);
    } else if (in("eu\x90")) {  // APPENDS, SETITEMS, ADDITEMS: onto the container below it
      const uint64_t above = popMark();
      if (op == 'u' && above % 2 != 0) fail(start, "SETITEMS with a key but no value");
      effect(1, 1);
    } else if (in("io\x82\x83\x84\x92")) {
      fail(start, name(op) + " does not occur in a state dict");
    } else if (in("0")) {
      effect(1, 0);
    } else if (in("2")) {
      effect(1, 2);
    } else if (in("Qpqr\x85\x94")) {  // BINPERSID, PUT, TUPLE1, MEMOIZE: on the top value
      effect(1, 1);
    } else if (in("Rba\x81\x86\x93")) {  // REDUCE, BUILD, APPEND, NEWOBJ, TUPLE2, STACK_GLOBAL
      effect(2, 1);
    } else if (in("s\x87")) {  // SETITEM, TUPLE3
      effect(3, 1);
    } else if (!in("\x80\x95")) {  // all else but PROTO and FRAME pushes one value
      effect(0, 1);
    }
  }
  fail(at, "no STOP opcode");
}

// Checks every record of a zip archive (PyTorch's format) against the CRC-32 in its central
// directory entry (LibTorch's reader skips that check, so a flipped bit would load silently),
// and walks the pickle (checkPickle).
void verifyZipChecksums(const std::vector<char>& zip, const std::string& path) {
  const char* base = zip.data();
  const uint64_t size = zip.size();
  const auto fail = [&](const std::string& what) -> void {
    throw Error(path + ": not a readable PyTorch state dict (zip format): " + what);
  };
  // Whether `length` bytes at `offset` lie inside the file (offsets come from the file itself).
  const auto inside = [&](uint64_t offset, uint64_t length) {
    return offset <= size && length <= size - offset;
  };
  // The end-of-central-directory record: the last signature within its 22 bytes and a comment
  // of at most 64 KiB.
  if (size < 22) fail("too short for a zip archive");
  uint64_t eocd = size - 22;
  const uint64_t lowest = size - 22 > 65535 ? size - 22 - 65535 : 0;
  while (littleEndian(base + eocd, 4) != 0x06054b50) {
    if (eocd == lowest) fail("no end of central directory (truncated?)");
    --eocd;
  }
  uint64_t entries = littleEndian(base + eocd + 10, 2);
  uint64_t directory = littleEndian(base + eocd + 16, 4);
  if (eocd >= 20 && littleEndian(base + eocd - 20, 4) == 0x07064b50) {  // ZIP64 (over 4 GiB)
    const uint64_t record = littleEndian(base + eocd - 20 + 8, 8);
    if (!inside(record, 56) || littleEndian(base + record, 4) != 0x06064b50) {
      fail("bad ZIP64 end of central directory");
    }
    entries = littleEndian(base + record + 32, 8);
    directory = littleEndian(base + record + 48, 8);
  }
  uint64_t at = directory;
  for (uint64_t i = 0; i < entries; ++i) {
    if (!inside(at, 46) || littleEndian(base + at, 4) != 0x02014b50) {
      fail("damaged central directory");
    }
    const int method = static_cast<int>(littleEndian(base + at + 10, 2));
    const uint32_t expected = static_cast<uint32_t>(littleEndian(base + at + 16, 4));
    uint64_t compressed = littleEndian(base + at + 20, 4);
    uint64_t uncompressed = littleEndian(base + at + 24, 4);
    const uint64_t nameLength = littleEndian(base + at + 28, 2);
    const uint64_t extraLength = littleEndian(base + at + 30, 2);
    const uint64_t commentLength = littleEndian(base + at + 32, 2);
    uint64_t local = littleEndian(base + at + 42, 4);
    if (!inside(at, 46 + nameLength + extraLength + commentLength))
      fail("damaged central directory");
    const std::string name(base + at + 46, nameLength);
    // ZIP64 extra field: the 8-byte values of the fields saturated at 0xFFFFFFFF, in order.
    for (uint64_t e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength;) {
      const uint64_t id = littleEndian(base + e, 2), length = littleEndian(base + e + 2, 2);
      if (id == 0x0001) {
        uint64_t field = e + 4;
        for (uint64_t* value : {&uncompressed, &compressed, &local}) {
          if (*value == 0xFFFFFFFF && field + 8 <= e + 4 + length && inside(field, 8)) {
            *value = littleEndian(base + field, 8);
            field += 8;
          }
        }
      }
      e += 4 + length;
    }
    if (!inside(local, 30) || littleEndian(base + local, 4) != 0x04034b50) {
      fail("record \"" + name + "\": bad local header");
    }
    const uint64_t data =
        local + 30 + littleEndian(base + local + 26, 2) + littleEndian(base + local + 28, 2);
    if (!inside(data, compressed)) fail("record \"" + name + "\" is truncated");
    const std::string where = path + ": record \"" + name + "\"";
    const bool pickle = endsWith(name, "data.pkl");
    std::string content;
    if (recordCrc(base + data, compressed, method, where, pickle ? &content : nullptr,
                  uncompressed) != expected) {
      throw Error(where + ": CRC-32 mismatch (the file is corrupt)");
    }
    if (pickle) checkPickle(content, where);
    at += 46 + nameLength + extraLength + commentLength;
  }
}

}  // namespace

StateDict readStateDict(const std::string& path) {
  if (endsWith(path, ".safetensors")) return readSafeTensors(path).tensors;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  verifyZipChecksums(bytes, path);
  c10::IValue value;
  try {
    value = torch::pickle_load(bytes);
  } catch (const std::exception& e) {
    std::string message = e.what();
    message = message.substr(0, message.find('\n'));
    throw Error(path + ": not a readable PyTorch state dict (zip format): " + message);
  }
  if (!value.isGenericDict()) throw Error(path + ": the pickle holds no dict of tensors");
  StateDict state;
  for (const auto& item : value.toGenericDict()) {
    if (!item.key().isString()) throw Error(path + ": a state dict key is not a string");
    const std::string key = item.key().toStringRef();
    if (!item.value().isTensor()) throw Error(path + ": entry \"" + key + "\" is not a tensor");
    state.emplace_back(key, item.value().toTensor());
  }
  return state;
}

}  // namespace crisp
