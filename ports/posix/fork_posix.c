/*
 * fork_posix.c: capheap_register_fork_handlers (capheap.h). The forking
 * thread holds every capheap lock across fork() (capheap_registry_hold_all),
 * so that no other thread is inside capheap then; parent and child give them
 * back. Registered once only: a second registration would take the same
 * heap locks twice in one prepare, and they do not nest.
 */
#include <pthread.h>

#include "capheap.h"
#include "registry.h"

static pthread_once_t registered = PTHREAD_ONCE_INIT;
static esp_err_t registration;

static void register_once(void) {
    int err = pthread_atfork(capheap_registry_hold_all, capheap_registry_give_all, capheap_registry_give_all);
    registration = err == 0 ? ESP_OK : ESP_ERR_NO_MEM;
}

esp_err_t capheap_register_fork_handlers(void) {
    pthread_once(&registered, register_once);
    return registration;
}
