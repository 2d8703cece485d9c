#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <malloc.h>
#include <pthread.h>
#include "codec.h"

// Small stream chunks: openjp2 keeps a private copy of what it buffered and
// frees it without wiping, so keep that copy short.
#define UKJ_STREAM_CHUNK 4096

static void on_error(const char *msg, void *user) {
	ukj_report *r = user;
	if (r->errors++ == 0 && msg != NULL) {
		snprintf(r->msg, sizeof r->msg, "%s", msg);
		size_t n = strlen(r->msg);
		while (n > 0 && (r->msg[n - 1] == '\n' || r->msg[n - 1] == '\r')) {
			r->msg[--n] = 0;
		}
	}
}

static void on_quiet(const char *msg, void *user) {
	(void)msg;
	(void)user;
}

static void set_handlers(opj_codec_t *c, ukj_report *rep) {
	opj_set_error_handler(c, on_error, rep);
	opj_set_warning_handler(c, on_quiet, NULL);
	opj_set_info_handler(c, on_quiet, NULL);
}

/* ---- wiping what openjp2 frees ----
 * openjp2 copies the compressed photo into its stream and tile buffers and
 * frees them unwiped; it has no allocator hooks. While any decode runs,
 * glibc's M_PERTURB overwrites every freed chunk except those kept in the
 * per-thread cache (tcache) of small chunks. The kiosk service sets
 * GLIBC_TUNABLES so that every free in the process is overwritten and the
 * cache is off; this only fills the gap when that is not set (tests, tools).
 * Large blocks are mmap'ed and go back to the kernel, which zeroes them. */

static pthread_mutex_t wipe_mu = PTHREAD_MUTEX_INITIALIZER;
static int wipe_users;
static int base_perturb = -1; // the process-wide setting, restored after

#define UKJ_FREED_BYTE 0xa5

// process_perturb reads the perturb byte set at start-up (GLIBC_TUNABLES or
// the older MALLOC_PERTURB_), which mallopt cannot report, so the end of a
// decode keeps it.
static int process_perturb(void) {
	const char *t = getenv("GLIBC_TUNABLES");
	const char *key = "glibc.malloc.perturb=";
	const char *p = t != NULL ? strstr(t, key) : NULL;
	if (p != NULL) {
		return (int)strtol(p + strlen(key), NULL, 0);
	}
	const char *old = getenv("MALLOC_PERTURB_");
	return old != NULL ? (int)strtol(old, NULL, 0) : 0;
}

static void wipe_frees_begin(void) {
	pthread_mutex_lock(&wipe_mu);
	if (base_perturb < 0) {
		base_perturb = process_perturb();
	}
	if (wipe_users++ == 0 && (base_perturb & 0xff) == 0) {
		mallopt(M_PERTURB, UKJ_FREED_BYTE);
	}
	pthread_mutex_unlock(&wipe_mu);
}

static void wipe_frees_end(void) {
	pthread_mutex_lock(&wipe_mu);
	if (--wipe_users == 0 && (base_perturb & 0xff) == 0) {
		mallopt(M_PERTURB, base_perturb);
	}
	pthread_mutex_unlock(&wipe_mu);
}

/* ---- reading from caller memory (valid only during one cgo call) ---- */

typedef struct {
	const uint8_t *data;
	size_t len, pos;
} mem_in;

static OPJ_SIZE_T in_read(void *buf, OPJ_SIZE_T n, void *user) {
	mem_in *m = user;
	if (m->pos >= m->len) {
		return (OPJ_SIZE_T)-1;
	}
	size_t left = m->len - m->pos;
	if (n > left) {
		n = left;
	}
	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return n;
}

static OPJ_OFF_T in_skip(OPJ_OFF_T n, void *user) {
	mem_in *m = user;
	if (n < 0) {
		if ((uint64_t)(-n) > m->pos) {
			return -1;
		}
		m->pos -= (size_t)(-n);
		return n;
	}
	if ((uint64_t)n > m->len - m->pos) {
		m->pos = m->len;
		return -1;
	}
	m->pos += (size_t)n;
	return n;
}

static OPJ_BOOL in_seek(OPJ_OFF_T off, void *user) {
	mem_in *m = user;
	if (off < 0 || (uint64_t)off > m->len) {
		return OPJ_FALSE;
	}
	m->pos = (size_t)off;
	return OPJ_TRUE;
}

static opj_stream_t *new_in_stream(mem_in *m) {
	opj_stream_t *s = opj_stream_create(UKJ_STREAM_CHUNK, OPJ_TRUE);
	if (s == NULL) {
		return NULL;
	}
	opj_stream_set_user_data(s, m, NULL);
	opj_stream_set_user_data_length(s, m->len);
	opj_stream_set_read_function(s, in_read);
	opj_stream_set_skip_function(s, in_skip);
	opj_stream_set_seek_function(s, in_seek);
	return s;
}

static opj_codec_t *new_decoder(int format, ukj_report *rep) {
	opj_codec_t *c = opj_create_decompress((OPJ_CODEC_FORMAT)format);
	if (c == NULL) {
		return NULL;
	}
	set_handlers(c, rep);
	opj_dparameters_t p;
	opj_set_default_decoder_parameters(&p);
	if (!opj_setup_decoder(c, &p) || !opj_decoder_set_strict_mode(c, OPJ_TRUE)) {
		opj_destroy_codec(c);
		return NULL;
	}
	return c;
}

static void fill_header(const opj_image_t *img, ukj_header *hdr) {
	hdr->width = img->x1 > img->x0 ? img->x1 - img->x0 : 0;
	hdr->height = img->y1 > img->y0 ? img->y1 - img->y0 : 0;
	hdr->components = img->numcomps;
}

static int check_header(const opj_image_t *img, const ukj_header *hdr) {
	if (hdr->width == 0 || hdr->height == 0 || img->comps == NULL) {
		return UKJ_CORRUPT;
	}
	if (hdr->components != 1 && hdr->components != 3) {
		return UKJ_UNSUPPORTED;
	}
	for (uint32_t i = 0; i < img->numcomps; i++) {
		const opj_image_comp_t *c = &img->comps[i];
		if (c->dx != 1 || c->dy != 1 || c->prec < 1 || c->prec > 16) {
			return UKJ_UNSUPPORTED;
		}
	}
	return UKJ_OK;
}

static int decoded_consistent(const opj_image_t *img, const ukj_header *hdr) {
	for (uint32_t i = 0; i < img->numcomps; i++) {
		const opj_image_comp_t *c = &img->comps[i];
		if (c->data == NULL || c->w != hdr->width || c->h != hdr->height) {
			return 0;
		}
	}
	return 1;
}

// tile_count is the number of tiles the main header declares (0 if unknown).
static uint64_t tile_count(opj_codec_t *codec) {
	opj_codestream_info_v2_t *ci = opj_get_cstr_info(codec);
	if (ci == NULL) {
		return 0;
	}
	uint64_t n = (uint64_t)ci->tw * ci->th;
	opj_destroy_cstr_info(&ci);
	return n;
}

int ukj_read_header(const uint8_t *data, size_t len, int format, ukj_header *hdr,
	ukj_report *rep) {
	mem_in m = {data, len, 0};
	opj_codec_t *codec = new_decoder(format, rep);
	opj_stream_t *st = codec != NULL ? new_in_stream(&m) : NULL;
	opj_image_t *img = NULL;
	int rc = UKJ_NO_MEMORY;
	if (codec != NULL && st != NULL) {
		rc = UKJ_CORRUPT;
		if (opj_read_header(st, codec, &img) && img != NULL) {
			fill_header(img, hdr);
			rc = UKJ_OK;
		}
	}
	if (img != NULL) {
		opj_image_destroy(img);
	}
	if (st != NULL) {
		opj_stream_destroy(st);
	}
	if (codec != NULL) {
		opj_destroy_codec(codec);
	}
	return rc;
}

static int decode(const uint8_t *data, size_t len, int format, uint64_t max_pixels,
	uint64_t max_tiles, opj_image_t **out, ukj_header *hdr, ukj_report *rep);

int ukj_decode(const uint8_t *data, size_t len, int format, uint64_t max_pixels,
	uint64_t max_tiles, opj_image_t **out, ukj_header *hdr, ukj_report *rep) {
	wipe_frees_begin();
	int rc = decode(data, len, format, max_pixels, max_tiles, out, hdr, rep);
	wipe_frees_end();
	return rc;
}

static int decode(const uint8_t *data, size_t len, int format, uint64_t max_pixels,
	uint64_t max_tiles, opj_image_t **out, ukj_header *hdr, ukj_report *rep) {
	*out = NULL;
	mem_in m = {data, len, 0};
	opj_codec_t *codec = new_decoder(format, rep);
	opj_stream_t *st = codec != NULL ? new_in_stream(&m) : NULL;
	opj_image_t *img = NULL;
	int rc = UKJ_NO_MEMORY;
	if (codec == NULL || st == NULL) {
		goto done;
	}
	rc = UKJ_CORRUPT;
	if (!opj_read_header(st, codec, &img) || img == NULL) {
		goto done;
	}
	fill_header(img, hdr);
	rc = check_header(img, hdr);
	if (rc != UKJ_OK) {
		goto done;
	}
	hdr->tiles = tile_count(codec);
	if ((uint64_t)hdr->width * hdr->height > max_pixels || hdr->tiles == 0 || hdr->tiles > max_tiles) {
		rc = UKJ_TOO_LARGE;
		goto done;
	}
	rc = UKJ_CORRUPT;
	if (!opj_decode(codec, st, img)) {
		goto done;
	}
	if (!decoded_consistent(img, hdr) || !opj_end_decompress(codec, st)) {
		goto done;
	}
	rc = UKJ_OK;
	*out = img;
	img = NULL;
done:
	// A failed decode may have written part of the photo into the planes.
	ukj_wipe_and_free(img);
	if (st != NULL) {
		opj_stream_destroy(st);
	}
	if (codec != NULL) {
		opj_destroy_codec(codec);
	}
	return rc;
}

// ukj_wipe_and_free overwrites every sample plane before openjp2 frees it.
// The planes come from posix_memalign (opj_image_data_alloc), so glibc
// knows each block's size: a plane is wiped whole even when a failed
// decode left it a size that does not match the header.
void ukj_wipe_and_free(opj_image_t *img) {
	if (img == NULL) {
		return;
	}
	for (uint32_t i = 0; i < img->numcomps && img->comps != NULL; i++) {
		opj_image_comp_t *c = &img->comps[i];
		if (c->data != NULL) {
			explicit_bzero(c->data, malloc_usable_size(c->data));
		}
	}
	opj_image_destroy(img);
}

/* ---- writing to a growing C buffer ---- */

typedef struct {
	uint8_t *buf;
	size_t cap, pos, size;
	int failed;
} mem_out;

void ukj_wipe_free_bytes(uint8_t *p, size_t len) {
	if (p != NULL) {
		memset(p, 0, len);
		free(p);
	}
}

// reserve grows without realloc so the old block can be wiped first.
static int reserve(mem_out *o, size_t need) {
	if (need <= o->cap) {
		return 1;
	}
	size_t cap = o->cap * 2;
	if (cap < need) {
		cap = need;
	}
	uint8_t *nb = calloc(cap, 1);
	if (nb == NULL) {
		o->failed = 1;
		return 0;
	}
	memcpy(nb, o->buf, o->size);
	ukj_wipe_free_bytes(o->buf, o->cap);
	o->buf = nb;
	o->cap = cap;
	return 1;
}

static void advance(mem_out *o, size_t to) {
	o->pos = to;
	if (to > o->size) {
		o->size = to;
	}
}

static OPJ_SIZE_T out_write(void *src, OPJ_SIZE_T n, void *user) {
	mem_out *o = user;
	if (!reserve(o, o->pos + n)) {
		return (OPJ_SIZE_T)-1;
	}
	memcpy(o->buf + o->pos, src, n);
	advance(o, o->pos + n);
	return n;
}

static OPJ_OFF_T out_skip(OPJ_OFF_T n, void *user) {
	mem_out *o = user;
	if (n < 0 ? (uint64_t)(-n) > o->pos : !reserve(o, o->pos + (size_t)n)) {
		return -1;
	}
	advance(o, o->pos + n);
	return n;
}

static OPJ_BOOL out_seek(OPJ_OFF_T off, void *user) {
	mem_out *o = user;
	if (off < 0 || !reserve(o, (size_t)off)) {
		return OPJ_FALSE;
	}
	advance(o, (size_t)off);
	return OPJ_TRUE;
}

static int resolutions_for(uint32_t w, uint32_t h) {
	int n = 6;
	while (n > 1 && ((1u << (n - 1)) > w || (1u << (n - 1)) > h)) {
		n--;
	}
	return n;
}

static opj_image_t *image_from(const uint8_t *pix, uint32_t w, uint32_t h,
	uint32_t stride, uint32_t comps) {
	opj_image_cmptparm_t cp[3];
	memset(cp, 0, sizeof cp);
	for (uint32_t i = 0; i < comps; i++) {
		cp[i].dx = cp[i].dy = 1;
		cp[i].w = w;
		cp[i].h = h;
		cp[i].prec = 8;
	}
	opj_image_t *img = opj_image_create(comps, cp, comps == 3 ? OPJ_CLRSPC_SRGB : OPJ_CLRSPC_GRAY);
	if (img == NULL) {
		return NULL;
	}
	img->x0 = img->y0 = 0;
	img->x1 = w;
	img->y1 = h;
	for (uint32_t c = 0; c < comps; c++) {
		OPJ_INT32 *d = img->comps[c].data;
		for (uint32_t y = 0; y < h; y++) {
			const uint8_t *row = pix + (size_t)y * stride;
			for (uint32_t x = 0; x < w; x++) {
				d[(size_t)y * w + x] = row[(size_t)x * comps + c];
			}
		}
	}
	return img;
}

static int encode(const uint8_t *pix, uint32_t w, uint32_t h, uint32_t stride,
	uint32_t comps, float rate, int format, uint8_t **out, size_t *out_len,
	ukj_report *rep);

int ukj_encode(const uint8_t *pix, uint32_t w, uint32_t h, uint32_t stride,
	uint32_t comps, float rate, int format, uint8_t **out, size_t *out_len,
	ukj_report *rep) {
	wipe_frees_begin();
	int rc = encode(pix, w, h, stride, comps, rate, format, out, out_len, rep);
	wipe_frees_end();
	return rc;
}

static int encode(const uint8_t *pix, uint32_t w, uint32_t h, uint32_t stride,
	uint32_t comps, float rate, int format, uint8_t **out, size_t *out_len,
	ukj_report *rep) {
	*out = NULL;
	*out_len = 0;
	opj_cparameters_t p;
	opj_set_default_encoder_parameters(&p);
	p.tcp_numlayers = 1;
	p.tcp_rates[0] = rate;
	p.cp_disto_alloc = 1;
	p.irreversible = rate > 0;
	p.tcp_mct = comps == 3;
	p.numresolution = resolutions_for(w, h);

	mem_out o = {NULL, 0, 0, 0, 0};
	opj_image_t *img = image_from(pix, w, h, stride, comps);
	opj_codec_t *codec = opj_create_compress((OPJ_CODEC_FORMAT)format);
	opj_stream_t *st = opj_stream_create(UKJ_STREAM_CHUNK, OPJ_FALSE);
	int rc = UKJ_NO_MEMORY;
	if (img == NULL || codec == NULL || st == NULL || !reserve(&o, (size_t)w * h * comps / 2 + 4096)) {
		goto done;
	}
	set_handlers(codec, rep);
	opj_stream_set_user_data(st, &o, NULL);
	opj_stream_set_write_function(st, out_write);
	opj_stream_set_skip_function(st, out_skip);
	opj_stream_set_seek_function(st, out_seek);
	rc = UKJ_CORRUPT;
	if (!opj_setup_encoder(codec, &p, img) || !opj_start_compress(codec, img, st) ||
		!opj_encode(codec, st) || !opj_end_compress(codec, st) || o.failed) {
		goto done;
	}
	rc = UKJ_OK;
	*out = o.buf;
	*out_len = o.size;
	o.buf = NULL;
done:
	ukj_wipe_free_bytes(o.buf, o.cap);
	if (st != NULL) {
		opj_stream_destroy(st);
	}
	if (codec != NULL) {
		opj_destroy_codec(codec);
	}
	ukj_wipe_and_free(img);
	return rc;
}
