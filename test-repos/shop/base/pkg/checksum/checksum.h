#include <stddef.h>
#include <stdint.h>

uint32_t fnv1a(const unsigned char *data, size_t n);
