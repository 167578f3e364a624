#include "core/io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>

#include "core/sys/error.h"

namespace crisp {
namespace {

namespace fs = std::filesystem;

// An output buffer onto a file descriptor that keeps the errno of a failed write (ENOSPC on a
// full disk), which std::ofstream loses. After a failure it accepts and discards the rest:
// PyTorch's zip writer cannot handle a failing stream (it throws from its destructor, which
// terminates the process), so the failure is reported once the writer is done.
class DescriptorBuffer : public std::streambuf {
 public:
  explicit DescriptorBuffer(int fd) : fd_(fd) { setp(buffer_, buffer_ + sizeof buffer_); }
  int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override {
    drain();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override {
    drain();
    return 0;
  }

 private:
  void drain() {
    for (char* next = pbase(); next < pptr() && error_ == 0;) {
      const ssize_t written = ::write(fd_, next, static_cast<size_t>(pptr() - next));
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) error_ = written < 0 ? errno : EIO;
      next += std::max<ssize_t>(written, 0);
    }
    setp(buffer_, buffer_ + sizeof buffer_);
  }

  int fd_;
  int error_ = 0;
  char buffer_[1 << 16];
};

void writeAndSync(const fs::path& temp, const std::string& path,
                  const std::function<void(std::ostream&)>& write) {
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) throw Error(path + ": cannot create " + temp.string() + ": " + std::strerror(errno));
  auto buffer = std::make_unique<DescriptorBuffer>(fd);
  std::ostream out(buffer.get());
  int error = 0;
  try {
    write(out);
    out.flush();
  } catch (const std::exception&) {
    if (buffer->error() == 0) {
      ::close(fd);
      throw;  // not the file's fault
    }
  }
  if (buffer->error() != 0) {
    error = buffer->error();
  } else if (!out) {
    error = EIO;
  } else if (::fsync(fd) != 0) {
    error = errno;
  }
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error != 0) throw Error(path + ": cannot write: " + std::strerror(error));
}

}  // namespace

void syncToDisk(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | (fs::is_directory(path) ? O_DIRECTORY : 0));
  if (fd < 0) throw Error(path + ": cannot open for fsync: " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) throw Error(path + ": fsync failed: " + std::strerror(err));
}

void writeFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::random_device entropy;
  const fs::path temp =
      dir / ("." + target.filename().string() + ".tmp" + std::to_string(entropy()));
  try {
    writeAndSync(temp, path, write);
    std::error_code ec;
    fs::rename(temp, target, ec);
    if (ec) throw Error(path + ": cannot rename into place: " + ec.message());
    syncToDisk(dir.string());
  } catch (...) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw;
  }
}

void writeFileAtomically(const std::string& path, const std::string& content) {
  writeFileAtomically(path, [&](std::ostream& out) { out.write(content.data(), content.size()); });
}

std::string readWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot read");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void copyFileAtomically(const std::string& from, const std::string& to) {
  writeFileAtomically(to, readWholeFile(from));
}

}  // namespace crisp
