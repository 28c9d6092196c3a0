#include "CGzip.h"
#include <zlib.h>

int cgzip_inflate(const uint8_t *input, size_t input_length,
                  uint8_t *output, size_t capacity, size_t *produced) {
    *produced = 0;
    z_stream stream = {0};
    if (inflateInit2(&stream, 15 + 32) != Z_OK) return CGZIP_NO_MEMORY;
    size_t consumed = 0;
    int result = CGZIP_OK;
    for (;;) {
        // z_stream counts in uInt: feed and drain in pieces of at most 1 GiB.
        size_t input_left = input_length - consumed;
        size_t output_left = capacity - *produced;
        stream.next_in = (Bytef *)(input + consumed);
        stream.avail_in = (uInt)(input_left > (1u << 30) ? (1u << 30) : input_left);
        stream.next_out = output + *produced;
        stream.avail_out = (uInt)(output_left > (1u << 30) ? (1u << 30) : output_left);
        uInt offered_in = stream.avail_in, offered_out = stream.avail_out;
        int status = inflate(&stream, Z_NO_FLUSH);
        consumed += offered_in - stream.avail_in;
        *produced += offered_out - stream.avail_out;
        if (status == Z_STREAM_END) {
            // Another member follows only if the next bytes are gzip's magic number.
            if (input_length - consumed >= 2 && input[consumed] == 0x1f && input[consumed + 1] == 0x8b) {
                inflateReset(&stream);
                continue;
            }
            break;
        }
        if (status == Z_NEED_DICT || status == Z_DATA_ERROR) { result = CGZIP_DAMAGED; break; }
        if (status == Z_MEM_ERROR) { result = CGZIP_NO_MEMORY; break; }
        if (*produced == capacity) { result = CGZIP_TOO_LARGE; break; }
        if (status == Z_BUF_ERROR || consumed == input_length) {
            // No progress possible: the output has room, so the input ran out mid-member.
            if (stream.avail_in == 0 && consumed == input_length) { result = CGZIP_TRUNCATED; break; }
        }
        if (status != Z_OK && status != Z_BUF_ERROR) { result = CGZIP_DAMAGED; break; }
    }
    inflateEnd(&stream);
    return result;
}
