/* stack_visitors.py's test input (read as text, never compiled): count_all
 * passes its visitor count_one to a walk. */
static bool count_one(void *payload, size_t size, bool used, void *user) {
    (void)payload, (void)size, (void)used;
    ++*(size_t *)user;
    return true;
}

size_t count_all(capheap_tlsf_t *t) {
    size_t n = 0;
    capheap_tlsf_walk(t, count_one, &n);
    return n;
}
