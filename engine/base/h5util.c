/* h5util.c: failures, quiet HDF5 calls and type names for the HDF5
 * readers and writers (h5util.h). */
#include "base/h5util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

bool h5_fail(h5io *io, gbtm_status st, const char *fmt, ...) {
  if (io->st == GBTM_OK) {
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    io->st = gbtm_fail(io->err, st, "%s: %s", io->file, msg);
  }
  return false;
}

void h5_quiet_begin(h5quiet *q) {
  q->saved = H5Eget_auto2(H5E_DEFAULT, &q->func, &q->data) >= 0;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

void h5_quiet_end(const h5quiet *q) {
  if (q->saved) H5Eset_auto2(H5E_DEFAULT, q->func, q->data);
}

void gbtm_hdf5_errors_off(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

const char *h5_class_name(H5T_class_t c) {
  switch (c) {
  case H5T_INTEGER: return "an integer";
  case H5T_FLOAT: return "a floating-point number";
  case H5T_STRING: return "a string";
  case H5T_COMPOUND: return "a compound type";
  default: return "of another type";
  }
}

bool h5_data_short(hid_t ds, hsize_t need, hsize_t *held) {
  hid_t dcpl = H5Dget_create_plist(ds);
  H5D_layout_t layout = dcpl >= 0 ? H5Pget_layout(dcpl) : H5D_LAYOUT_ERROR;
  if (dcpl >= 0) H5Pclose(dcpl);
  *held = H5Dget_storage_size(ds);
  return layout != H5D_CHUNKED && *held < need;
}

hid_t h5_write_access(void) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl >= 0 && (H5Pset_fclose_degree(fapl, H5F_CLOSE_SEMI) < 0 ||
                    H5Pset_fapl_core(fapl, (size_t)1 << 20, 0) < 0 ||
                    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST) < 0)) {
    H5Pclose(fapl);
    fapl = -1;
  }
  return fapl;
}

/* Bob Jenkins' lookup3 hashlittle() (public domain), byte by byte: the
 * checksum of HDF5's metadata. */
static uint32_t lookup3(const unsigned char *k, size_t length) {
#define ROT(x, r) (((x) << (r)) | ((x) >> (32 - (r))))
  uint32_t a, b, c;
  a = b = c = 0xdeadbeef + (uint32_t)length;
  while (length > 12) {
    a += k[0] + ((uint32_t)k[1] << 8) + ((uint32_t)k[2] << 16) + ((uint32_t)k[3] << 24);
    b += k[4] + ((uint32_t)k[5] << 8) + ((uint32_t)k[6] << 16) + ((uint32_t)k[7] << 24);
    c += k[8] + ((uint32_t)k[9] << 8) + ((uint32_t)k[10] << 16) + ((uint32_t)k[11] << 24);
    a -= c; a ^= ROT(c, 4); c += b;
    b -= a; b ^= ROT(a, 6); a += c;
    c -= b; c ^= ROT(b, 8); b += a;
    a -= c; a ^= ROT(c, 16); c += b;
    b -= a; b ^= ROT(a, 19); a += c;
    c -= b; c ^= ROT(b, 4); b += a;
    length -= 12;
    k += 12;
  }
  if (length == 0) return c;
  uint32_t t[3] = {0, 0, 0};
  for (size_t i = 0; i < length; i++) t[i / 4] += (uint32_t)k[i] << (8 * (i % 4));
  a += t[0];
  b += t[1];
  c += t[2];
  c ^= b; c -= ROT(b, 14);
  a ^= c; a -= ROT(c, 11);
  b ^= a; b -= ROT(a, 25);
  c ^= b; c -= ROT(b, 16);
  a ^= c; a -= ROT(c, 4);
  b ^= a; b -= ROT(a, 14);
  c ^= b; c -= ROT(b, 24);
#undef ROT
  return c;
}

/* HDF5 1.10's H5Fget_file_image() clears the "open for writing" flags of a
 * version 2 or 3 superblock in the image without updating its checksum,
 * which HDF5 then refuses: computed again here (the same value where HDF5
 * got it right). */
static void fix_superblock_checksum(unsigned char *image, size_t size) {
  if (size < 12 || (image[8] != 2 && image[8] != 3)) return;
  size_t len = 12 + 4 * (size_t)image[9]; /* signature, versions, sizes, flags, 4 addresses */
  if (len + 4 > size) return;
  uint32_t sum = lookup3(image, len);
  for (int i = 0; i < 4; i++) image[len + (size_t)i] = (unsigned char)(sum >> (8 * i));
}

int h5_close_written(hid_t file, const char *path) {
  int e = 0;
  void *image = NULL;
  /* the image is the file as flushed, metadata cache included */
  ssize_t size = path && H5Fflush(file, H5F_SCOPE_GLOBAL) >= 0 ? H5Fget_file_image(file, NULL, 0) : path ? -1 : 0;
  if (size < 0 || (size > 0 && (!(image = malloc((size_t)size)) || H5Fget_file_image(file, image, (size_t)size) != size)))
    e = size > 0 && !image ? ENOMEM : EIO;
  if (image && !e) fix_superblock_checksum(image, (size_t)size);
  int fd = path && !e ? open(path, O_WRONLY | O_TRUNC | O_CLOEXEC) : -1;
  if (path && !e && fd < 0) e = errno;
  for (ssize_t done = 0; fd >= 0 && !e && done < size;) {
    ssize_t n = write(fd, (const char *)image + done, (size_t)(size - done));
    if (n > 0) done += n;
    else if (n < 0 && errno != EINTR) e = errno;
    else if (n == 0) e = EIO;
  }
  if (fd >= 0 && close(fd) != 0 && !e) e = errno;
  free(image);
  if (H5Fclose(file) < 0 && !e) e = EIO;
  return e;
}

bool h5_id_offsets_ok(const long long *offsets, size_t n, unsigned long long total) {
  if (offsets[0] != 0 || offsets[n] < 0 || (unsigned long long)offsets[n] != total) return false;
  for (size_t i = 0; i < n; i++)
    if (offsets[i] > offsets[i + 1]) return false;
  return true;
}
