// CGzip: gzip decompression for TLS reports (RFC 8460 §5.3 sends them as .json.gz), from
// zlib. Foundation on Linux has no gzip, and zlib's inflateInit2 is a macro Swift does not
// import, so this one function is all the C there is; the logic (when to decompress, what
// to say about a failure) is in Sources/MailTLS/TLSRPT.
#ifndef CGZIP_H
#define CGZIP_H

#include <stddef.h>
#include <stdint.h>

/// What cgzip_inflate ended with.
enum {
    CGZIP_OK = 0,          ///< every gzip member decompressed; *produced bytes in output
    CGZIP_TOO_LARGE = 1,   ///< output filled up before the data ended (the size cap)
    CGZIP_DAMAGED = 2,     ///< not gzip, or a corrupt stream (bad header, CRC, length)
    CGZIP_TRUNCATED = 3,   ///< the input ended inside a gzip member
    CGZIP_NO_MEMORY = 4,   ///< zlib could not allocate its state
};

/// Decompresses `input` (one gzip member or several concatenated, as `gzip` writes and
/// reads them) into `output`, at most `capacity` bytes: inflate with windowBits 15+32
/// (gzip or zlib header detected). Stops as soon as the output is full, so a small input
/// that expands to gigabytes costs no more than `capacity` bytes and the time to fill them.
/// Bytes after the last member that do not begin another member are ignored (as gzip does,
/// with a warning).
int cgzip_inflate(const uint8_t *input, size_t input_length,
                  uint8_t *output, size_t capacity, size_t *produced);

#endif
