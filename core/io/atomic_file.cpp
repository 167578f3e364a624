#include "core/io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "core/sys/error.h"

namespace crisp {
namespace {

namespace fs = std::filesystem;

void fsyncPath(const fs::path& path, int flags, const std::string& what) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) throw Error(what + ": cannot open for fsync: " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) throw Error(what + ": fsync failed: " + std::strerror(err));
}

}  // namespace

void writeFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::random_device entropy;
  const fs::path temp =
      dir / ("." + target.filename().string() + ".tmp" + std::to_string(entropy()));
  try {
    {
      std::ofstream out(temp, std::ios::binary | std::ios::trunc);
      if (!out) throw Error(path + ": cannot create " + temp.string());
      write(out);
      out.flush();
      if (!out) throw Error(path + ": write failed (disk full?)");
    }
    fsyncPath(temp, O_RDONLY, path);
    std::error_code ec;
    fs::rename(temp, target, ec);
    if (ec) throw Error(path + ": cannot rename into place: " + ec.message());
    fsyncPath(dir, O_RDONLY | O_DIRECTORY, dir.string());
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
