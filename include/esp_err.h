/*
 * esp_err.h: the error type of the ESP-IDF heap API, for builds without ESP-IDF.
 *
 * When ESP-IDF's own esp_err.h is first on the include path it wins; the guard
 * name is the one ESP-IDF uses, so the two never both define the codes.
 */
#ifndef __ESP_ERR_H__
#define __ESP_ERR_H__

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int esp_err_t;

#define ESP_OK                0      /* success */
#define ESP_FAIL              (-1)   /* generic failure */
#define ESP_ERR_NO_MEM        0x101  /* out of memory */
#define ESP_ERR_INVALID_ARG   0x102  /* an argument is invalid */
#define ESP_ERR_INVALID_STATE 0x103  /* not allowed in the current state */
#define ESP_ERR_INVALID_SIZE  0x104  /* a size is invalid */
#define ESP_ERR_NOT_FOUND     0x105  /* the requested thing does not exist */
#define ESP_ERR_NOT_SUPPORTED 0x106  /* not supported on this build or board */

#ifdef __cplusplus
}
#endif

#endif /* __ESP_ERR_H__ */
