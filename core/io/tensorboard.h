#pragma once

#include <cstdint>
#include <fstream>
#include <string>

namespace crisp {

// Writes TensorBoard's event files (what torch.utils.tensorboard's SummaryWriter writes):
// TFRecord framing (length, masked CRC-32C of the length, an Event protocol buffer, its masked
// CRC-32C) around Event messages encoded here: scalars, text (the text plugin's string
// tensors), and SessionLog START, which tells TensorBoard to drop the data a resumed run is
// about to write again. Records are buffered and reach the file at flush(); errors name the
// file.
class TensorBoardWriter {
 public:
  TensorBoardWriter() = default;
  ~TensorBoardWriter();
  TensorBoardWriter(const TensorBoardWriter&) = delete;
  TensorBoardWriter& operator=(const TensorBoardWriter&) = delete;

  // Starts a new file events.out.tfevents.<seconds>.<host>.<pid> in directory (which must
  // exist) with its file_version record.
  void open(const std::string& directory);
  // The same with the file named by the caller.
  void openFile(const std::string& path);
  bool isOpen() const { return out_.is_open(); }
  const std::string& path() const { return path_; }

  void scalar(const std::string& tag, int64_t step, double value, double wallTime);
  void text(const std::string& tag, int64_t step, const std::string& markdown, double wallTime);
  // Everything already written at or after `step` is superseded (a resume from step - 1).
  void sessionStart(int64_t step, double wallTime);
  // Appends the buffered records to the file and flushes it; throws crisp::Error naming the file
  // when the write fails.
  void flush();
  void close();

  // Seconds since the epoch, as event wall times are.
  static double now();

 private:
  void record(const std::string& event);

  std::ofstream out_;
  std::string path_;
  std::string pending_;
};

// CRC-32C (Castagnoli), and TFRecord's masked form of it.
uint32_t crc32c(const void* data, std::size_t size);
uint32_t maskedCrc32c(const void* data, std::size_t size);

}  // namespace crisp
