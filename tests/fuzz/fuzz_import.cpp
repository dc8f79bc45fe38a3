// The configuration importer's readers (`tiersim import`): the first byte
// picks haproxy.cfg, keepalived.conf or nginx.conf's block grammar, the rest
// is the file's text. An ImportError is the expected answer to a bad file.
// nginx.conf is read through its block grammar only: the full reader follows
// `include` to files on disk.
#include <cstddef>
#include <cstdint>
#include <string>

#include "import/blocks.hpp"
#include "import/haproxy.hpp"
#include "import/keepalived.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string text(fuzz::as_text(data + 1, size - 1));
  config_import::Notes notes;
  try {
    switch (data[0] % 3) {
      case 0:
        config_import::read_haproxy_text(text, "haproxy.cfg", notes);
        break;
      case 1:
        config_import::read_keepalived_text(text, "keepalived.conf", notes);
        break;
      default:
        config_import::parse_blocks(text, "nginx.conf", config_import::BlockSyntax::kNginx);
        break;
    }
  } catch (const config_import::ImportError&) {
  }
  return 0;
}
