#include "core/io/tensorboard.h"

#include <unistd.h>

#include <array>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include "core/sys/error.h"

namespace crisp {
namespace {

// Protocol buffer encoding, only what Event needs: varints, 64-bit and 32-bit fixed fields
// and length-delimited fields.
void varint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

void key(std::string& out, int field, int wireType) {
  varint(out, static_cast<uint64_t>(field) << 3 | static_cast<uint64_t>(wireType));
}

template <typename T>
void fixed(std::string& out, int field, T value) {
  key(out, field, sizeof(T) == 8 ? 1 : 5);
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));  // little-endian, as x86-64 and the format are
  out.append(bytes, sizeof(T));
}

void bytesField(std::string& out, int field, const std::string& bytes) {
  key(out, field, 2);
  varint(out, bytes.size());
  out += bytes;
}

void intField(std::string& out, int field, uint64_t value) {
  key(out, field, 0);
  varint(out, value);
}

// Event: wall_time = 1 (double), step = 2 (int64), file_version = 3, summary = 5,
// session_log = 7.
std::string event(double wallTime, int64_t step) {
  std::string e;
  fixed(e, 1, wallTime);
  if (step != 0) intField(e, 2, static_cast<uint64_t>(step));
  return e;
}

const std::array<uint32_t, 256>& crcTable() {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  return table;
}

}  // namespace

uint32_t crc32c(const void* data, std::size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  uint32_t crc = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < size; ++i) crc = crcTable()[(crc ^ bytes[i]) & 0xff] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

uint32_t maskedCrc32c(const void* data, std::size_t size) {
  const uint32_t crc = crc32c(data, size);
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

TensorBoardWriter::~TensorBoardWriter() {
  try {
    close();
  } catch (const std::exception&) {
    // A destructor cannot report a failed final write; flush() and close() callers do.
  }
}

double TensorBoardWriter::now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void TensorBoardWriter::open(const std::string& directory) {
  close();
  char host[256] = "localhost";
  gethostname(host, sizeof host - 1);
  const double wallTime = now();
  std::ostringstream name;
  name << "events.out.tfevents." << static_cast<int64_t>(wallTime) << "." << host << "."
       << getpid();
  openFile((std::filesystem::path(directory) / name.str()).string());
}

void TensorBoardWriter::openFile(const std::string& path) {
  close();
  path_ = path;
  pending_.clear();
  out_.open(path_, std::ios::binary | std::ios::app);
  if (!out_) throw Error(path_ + ": cannot create: " + std::strerror(errno));
  std::string e = event(now(), 0);
  bytesField(e, 3, "brain.Event:2");
  record(e);
}

void TensorBoardWriter::record(const std::string& event) {
  const uint64_t length = event.size();
  char header[12];
  std::memcpy(header, &length, 8);
  const uint32_t lengthCrc = maskedCrc32c(header, 8);
  std::memcpy(header + 8, &lengthCrc, 4);
  pending_.append(header, 12);
  pending_ += event;
  const uint32_t dataCrc = maskedCrc32c(event.data(), event.size());
  pending_.append(reinterpret_cast<const char*>(&dataCrc), 4);
}

void TensorBoardWriter::scalar(const std::string& tag, int64_t step, double value,
                               double wallTime) {
  if (!isOpen()) return;
  std::string v;  // Summary.Value: tag = 1, simple_value = 2 (float)
  bytesField(v, 1, tag);
  fixed(v, 2, static_cast<float>(value));
  std::string summary;  // Summary: value = 1
  bytesField(summary, 1, v);
  std::string e = event(wallTime, step);
  bytesField(e, 5, summary);
  record(e);
}

void TensorBoardWriter::text(const std::string& tag, int64_t step, const std::string& markdown,
                             double wallTime) {
  if (!isOpen()) return;
  // SummaryMetadata.plugin_data (1) = PluginData { plugin_name (1) = "text" }
  std::string pluginData;
  bytesField(pluginData, 1, "text");
  std::string metadata;
  bytesField(metadata, 1, pluginData);
  // TensorProto: dtype (1) = DT_STRING (7), tensor_shape (2) = scalar, string_val (8)
  std::string tensor;
  intField(tensor, 1, 7);
  bytesField(tensor, 2, "");
  bytesField(tensor, 8, markdown);
  std::string v;  // Summary.Value: tag = 1, tensor = 8, metadata = 9
  bytesField(v, 1, tag);
  bytesField(v, 8, tensor);
  bytesField(v, 9, metadata);
  std::string summary;
  bytesField(summary, 1, v);
  std::string e = event(wallTime, step);
  bytesField(e, 5, summary);
  record(e);
}

void TensorBoardWriter::sessionStart(int64_t step, double wallTime) {
  if (!isOpen()) return;
  std::string log;  // SessionLog: status = 1 (START = 1)
  intField(log, 1, 1);
  std::string e = event(wallTime, step);
  bytesField(e, 7, log);
  record(e);
}

void TensorBoardWriter::flush() {
  if (!isOpen() || pending_.empty()) return;
  out_.write(pending_.data(), static_cast<std::streamsize>(pending_.size()));
  out_.flush();
  if (!out_) {
    const std::string reason = std::strerror(errno);
    out_.close();  // a failed stream stays failed: the next open() starts a new file
    throw Error(path_ + ": cannot write: " + reason);
  }
  pending_.clear();
}

void TensorBoardWriter::close() {
  if (!isOpen()) return;
  try {
    flush();
  } catch (...) {
    out_.close();
    throw;
  }
  out_.close();
}

}  // namespace crisp
