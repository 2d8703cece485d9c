// Thin C side of package jp2: memory streams and the openjp2 call sequence,
// kept in C so no Go pointer outlives a single cgo call.
#ifndef UKETSUKE_JP2_CODEC_H
#define UKETSUKE_JP2_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include <openjpeg.h>

enum {
	UKJ_OK = 0,
	UKJ_CORRUPT = 1,
	UKJ_TRUNCATED = 2,
	UKJ_TOO_LARGE = 3,
	UKJ_UNSUPPORTED = 4,
	UKJ_NO_MEMORY = 5,
};

// ukj_report carries openjp2's first error message and what the stream saw.
typedef struct {
	char msg[200];
	int errors;
	int hit_eof;
} ukj_report;

// ukj_header is what the main header says, before any pixel is decoded.
typedef struct {
	uint32_t width, height;
	uint32_t components;
	uint64_t tiles;
} ukj_header;

// ukj_decode decodes a whole image whose area is at most max_pixels, cut in
// at most max_tiles tiles (each tile costs openjp2 time even when empty). On
// UKJ_OK *out holds the image; release it with ukj_wipe_and_free.
int ukj_decode(const uint8_t *data, size_t len, int format, uint64_t max_pixels,
	uint64_t max_tiles, opj_image_t **out, ukj_header *hdr, ukj_report *rep);

// ukj_read_header reads only the main header.
int ukj_read_header(const uint8_t *data, size_t len, int format, ukj_header *hdr,
	ukj_report *rep);

// ukj_wipe_and_free overwrites every component's samples, then frees the image.
void ukj_wipe_and_free(opj_image_t *img);

// ukj_encode compresses interleaved 8-bit samples (1 or 3 components).
// rate 0 means lossless; otherwise the compression ratio. On UKJ_OK *out is
// malloc'd memory of *out_len bytes for ukj_wipe_free_bytes.
int ukj_encode(const uint8_t *pix, uint32_t w, uint32_t h, uint32_t stride,
	uint32_t comps, float rate, int format, uint8_t **out, size_t *out_len,
	ukj_report *rep);

void ukj_wipe_free_bytes(uint8_t *p, size_t len);

#endif
