/*
 * board_file.c: reading and writing board files (docs/tool.md, "Board files").
 *
 * One entry per line, words separated by blanks, a word in double quotes when
 * it holds blanks; a line whose first word starts with '#' is a comment:
 *
 *   board NAME
 *   type NAME CAPS0 CAPS1 CAPS2                 caps as in traces: DMA|8BIT, 0x0c, 0
 *   region START SIZE TYPE [alias linear|inverted ADDRESS] [startup-stack]
 *   reserved START END NAME...                  the rest of the line names it
 *   extmem BYTES                                malloc() tries external RAM from this size
 *   extmem-dma                                  the chip's DMA reaches its external RAM
 *   cache INTERNAL EXTERNAL                     data cache lines (0: not cached)
 *
 * Numbers are decimal or 0x hexadecimal; SIZE and BYTES may end in K or M.
 * Types come before the regions that use them; regions in address order.
 */
#include "board_file.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "board_layout.h" /* capheap_board_window_clashes, capheap_board_line_valid */
#include "replay.h"       /* REPLAY_MAX_TYPES */
#include "trace_input.h"  /* caps_parse, caps_describe */

#define MAX_TYPES    32
_Static_assert(MAX_TYPES <= REPLAY_MAX_TYPES, "a report keeps every type of a board file apart");
#define MAX_REGIONS  64
#define MAX_RESERVED 64
#define MAX_NAME     64
#define MAX_WORDS    8
#define MAX_LINE     512

/* The one loaded board and the text its names point into. */
static struct {
    capheap_board_t board;
    capheap_memory_type_t types[MAX_TYPES];
    capheap_region_t regions[MAX_REGIONS];
    capheap_reserved_t reserved[MAX_RESERVED];
    char board_name[MAX_NAME];
    char type_names[MAX_TYPES][MAX_NAME];
    char reserved_names[MAX_RESERVED][MAX_NAME];
    bool has_extmem, has_cache;
} loaded;

typedef struct {
    const char *path;
    unsigned line;
} where_t;

static bool fail(const where_t *w, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "capheap: %s:%u: ", w->path, w->line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return false;
}

bool board_file_named(const char *spec) {
    size_t n = strlen(spec);
    return strchr(spec, '/') != NULL || (n > 6 && strcmp(spec + n - 6, ".board") == 0);
}

/* ---- reading ----------------------------------------------------------- */

/* Blanks separate words: any white space (a file may end its lines in CR LF). */
static char *skip_blanks(char *p) {
    while (isspace((unsigned char)*p)) {
        p++;
    }
    return p;
}

static char *skip_word(char *p) {
    while (*p != '\0' && !isspace((unsigned char)*p)) {
        p++;
    }
    return p;
}

/* Splits line into at most max words, in place. Returns the word count; -1
 * for an unterminated quote among them; max + 1 when more text follows. */
static int split_words(char *line, char *words[], int max) {
    int n = 0;
    for (char *p = line;;) {
        p = skip_blanks(p);
        if (*p == '\0') {
            break;
        }
        if (n == max) {
            return max + 1;
        }
        if (*p == '"') {
            char *close = strchr(p + 1, '"');
            if (close == NULL) {
                return -1;
            }
            words[n++] = p + 1;
            *close = '\0';
            p = close + 1;
            continue;
        }
        words[n++] = p;
        p = skip_word(p);
        if (*p != '\0') {
            *p++ = '\0';
        }
    }
    return n;
}

bool board_parse_number(const char *text, bool suffixes, uint64_t *out) {
    char *end;
    if (!isdigit((unsigned char)text[0])) {
        return false;
    }
    bool hex = text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    errno = 0;
    unsigned long long v = strtoull(text, &end, hex ? 16 : 10); /* 010 is ten, not octal */
    if (errno == ERANGE) {
        return false;
    }
    int unit = suffixes ? toupper((unsigned char)*end) : 0;
    unsigned shift = unit == 'K' ? 10 : unit == 'M' ? 20 : unit == 'G' ? 30 : 0;
    end += shift != 0;
    if (*end != '\0' || v > (UINT64_MAX >> shift)) {
        return false;
    }
    *out = (uint64_t)v << shift;
    return true;
}

static bool parse_address(const where_t *w, const char *text, const char *what, uintptr_t *out) {
    uint64_t v;
    if (!board_parse_number(text, false, &v) || v > UINTPTR_MAX) {
        return fail(w, "%s '%s': expected an address (0x3FFB0000 or decimal)", what, text);
    }
    *out = (uintptr_t)v;
    return true;
}

/* Names go into reports, pictures and board files written back: no control
 * codes (a tab, a stray carriage return), which none of them can show. */
static bool copy_name(const where_t *w, char *dst, const char *src, const char *what) {
    bool control = false;
    for (const char *c = src; *c != '\0'; c++) {
        control |= iscntrl((unsigned char)*c) != 0;
    }
    if (src[0] == '\0' || strlen(src) >= MAX_NAME || control) {
        return fail(w, "%s: a name of 1 to %d characters, without control characters", what, MAX_NAME - 1);
    }
    strcpy(dst, src);
    return true;
}

static int type_index(const char *name) {
    for (size_t i = 0; i < loaded.board.type_count; i++) {
        if (strcmp(loaded.types[i].name, name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static bool read_type(const where_t *w, char **word, int n) {
    if (n != 5) {
        return fail(w, "expected: type NAME CAPS0 CAPS1 CAPS2");
    }
    if (loaded.board.type_count == MAX_TYPES) {
        return fail(w, "at most %d types", MAX_TYPES);
    }
    if (type_index(word[1]) >= 0) {
        return fail(w, "type '%s' is defined twice", word[1]);
    }
    size_t t = loaded.board.type_count;
    if (!copy_name(w, loaded.type_names[t], word[1], "type")) {
        return false;
    }
    for (int p = 0; p < 3; p++) {
        if (!caps_parse(word[2 + p], &loaded.types[t].caps[p])) {
            return fail(w, "caps '%s': expected names joined by | (DMA|8BIT), a number, or 0", word[2 + p]);
        }
    }
    loaded.types[t].name = loaded.type_names[t];
    loaded.board.type_count++;
    return true;
}

/* The optional words after "region START SIZE TYPE". */
static bool read_region_options(const where_t *w, char **word, int n, capheap_region_t *r) {
    for (int i = 4; i < n; i++) {
        if (strcmp(word[i], "startup-stack") == 0) {
            r->flags |= CAPHEAP_REGION_STARTUP_STACK;
        } else if (strcmp(word[i], "alias") == 0 && i + 2 < n) {
            bool linear = strcmp(word[i + 1], "linear") == 0;
            if (!linear && strcmp(word[i + 1], "inverted") != 0) {
                return fail(w, "alias %s: expected linear or inverted", word[i + 1]);
            }
            r->alias.kind = linear ? CAPHEAP_ALIAS_LINEAR : CAPHEAP_ALIAS_INVERTED;
            if (!parse_address(w, word[i + 2], "alias", &r->alias.start)) {
                return false;
            }
            if (r->alias.start > UINTPTR_MAX - r->size) { /* as the region itself */
                return fail(w, "alias 0x%lx: a window of 0x%lx bytes there does not end within the address space",
                            (unsigned long)r->alias.start, (unsigned long)r->size);
            }
            i += 2;
        } else {
            return fail(w, "'%s': expected alias linear|inverted ADDRESS, or startup-stack", word[i]);
        }
    }
    return true;
}

/* r's window against every region read before it and against r itself, and
 * their windows against r (capheap_board_check's rule, said here with the
 * line): a pointer must tell which memory it is in. */
static bool windows_apart(const where_t *w, const capheap_region_t *r) {
    for (size_t i = 0; i <= loaded.board.region_count; i++) {
        const capheap_region_t *other = i < loaded.board.region_count ? &loaded.regions[i] : r;
        if (capheap_board_window_clashes(r, other) || capheap_board_window_clashes(other, r)) {
            return fail(w, "region at 0x%lx: an instruction-bus window overlaps the memory or the window of the "
                           "region at 0x%lx", (unsigned long)r->start, (unsigned long)other->start);
        }
    }
    return true;
}

static bool read_region(const where_t *w, char **word, int n) {
    if (n < 4) {
        return fail(w, "expected: region START SIZE TYPE [alias linear|inverted ADDRESS] [startup-stack]");
    }
    if (loaded.board.region_count == MAX_REGIONS) {
        return fail(w, "at most %d regions", MAX_REGIONS);
    }
    capheap_region_t r = {0};
    uint64_t size;
    int type = type_index(word[3]);
    if (!parse_address(w, word[1], "start", &r.start)) {
        return false;
    }
    if (!board_parse_number(word[2], true, &size) || size == 0 || size > UINTPTR_MAX - r.start) {
        return fail(w, "size '%s': expected bytes (65536, 0x10000 or 64K) that end within the address space", word[2]);
    }
    if (type < 0) {
        return fail(w, "type '%s' is not defined above", word[3]);
    }
    r.size = (size_t)size;
    r.type = (uint8_t)type;
    if (!read_region_options(w, word, n, &r)) {
        return false;
    }
    if (loaded.board.region_count > 0) {
        const capheap_region_t *last = &loaded.regions[loaded.board.region_count - 1];
        if (r.start < last->start + last->size) {
            return fail(w, "region at 0x%lx: regions go in address order without overlapping (the one above "
                           "ends at 0x%lx)", (unsigned long)r.start, (unsigned long)(last->start + last->size));
        }
    }
    if (!windows_apart(w, &r)) {
        return false;
    }
    loaded.regions[loaded.board.region_count++] = r;
    return true;
}

/* The text after the first k words of text (words without quotes), blanks
 * around it and one pair of quotes around all of it taken off, in place. */
static char *rest_after(char *text, int k) {
    char *p = text;
    for (int i = 0; i < k; i++) {
        p = skip_word(skip_blanks(p));
    }
    p = skip_blanks(p);
    size_t len = strlen(p);
    while (len > 0 && isspace((unsigned char)p[len - 1])) {
        p[--len] = '\0';
    }
    if (len >= 2 && p[0] == '"' && p[len - 1] == '"') {
        p[len - 1] = '\0';
        p++;
    }
    return p;
}

/* reserved START END NAME: the name is the rest of the line (text). */
static bool read_reserved(const where_t *w, char **word, int n, char *text) {
    if (n < 4) {
        return fail(w, "expected: reserved START END NAME");
    }
    if (loaded.board.reserved_count == MAX_RESERVED) {
        return fail(w, "at most %d reserved ranges", MAX_RESERVED);
    }
    size_t i = loaded.board.reserved_count;
    capheap_reserved_t *r = &loaded.reserved[i];
    if (!parse_address(w, word[1], "start", &r->start) || !parse_address(w, word[2], "end", &r->end)) {
        return false;
    }
    if (r->end <= r->start) {
        return fail(w, "reserved range 0x%lx..0x%lx: END must be above START", (unsigned long)r->start,
                    (unsigned long)r->end);
    }
    if (!copy_name(w, loaded.reserved_names[i], rest_after(text, 3), "reserved")) {
        return false;
    }
    r->name = loaded.reserved_names[i];
    loaded.board.reserved_count++;
    return true;
}

/* Whether text's first word is word. */
static bool first_word_is(char *text, const char *word) {
    char *first = skip_blanks(text);
    return skip_word(first) - first == (ptrdiff_t)strlen(word) && strncmp(first, word, strlen(word)) == 0;
}

/* cache INTERNAL EXTERNAL: the data cache lines (capheap_board_check's rule,
 * said here with the line). */
static bool read_cache(const where_t *w, char **word, size_t n) {
    uint64_t line[2];
    if (n != 3 || loaded.has_cache) {
        return fail(w, loaded.has_cache ? "a second cache line" : "expected: cache INTERNAL EXTERNAL (bytes, 0: not cached)");
    }
    for (size_t i = 0; i < 2; i++) {
        if (!board_parse_number(word[1 + i], false, &line[i]) || !capheap_board_line_valid(line[i])) {
            return fail(w, "'%s': a cache line is 0 or a power of two up to 128", word[1 + i]);
        }
    }
    loaded.board.cache = (capheap_cache_lines_t){(uint16_t)line[0], (uint16_t)line[1]};
    loaded.has_cache = true;
    return true;
}

static bool read_entry(const where_t *w, char *line) {
    char *word[MAX_WORDS];
    char text[MAX_LINE]; /* the line as written, for the reserved entry's name */
    strcpy(text, line);
    /* A reserved range's name is the rest of its line, quotes and all: only
     * the words before it are split. */
    bool reserved = first_word_is(line, "reserved");
    int n = split_words(line, word, reserved ? 3 : MAX_WORDS);
    if (n < 0) {
        return fail(w, "a quote is not closed");
    }
    if (n == 0 || word[0][0] == '#') {
        return true;
    }
    if (reserved) {
        return read_reserved(w, word, n, text);
    }
    if (n == MAX_WORDS + 1) {
        return fail(w, "more words than a %s line has", word[0]);
    }
    if (strcmp(word[0], "board") == 0) {
        if (n != 2 || loaded.board_name[0] != '\0') {
            return fail(w, n != 2 ? "expected: board NAME" : "a second board line");
        }
        return copy_name(w, loaded.board_name, word[1], "board");
    }
    if (strcmp(word[0], "type") == 0) {
        return read_type(w, word, n);
    }
    if (strcmp(word[0], "region") == 0) {
        return read_region(w, word, n);
    }
    if (strcmp(word[0], "extmem") == 0) {
        uint64_t v;
        if (n != 2 || loaded.has_extmem || !board_parse_number(word[1], true, &v) || v > SIZE_MAX) {
            return fail(w, loaded.has_extmem ? "a second extmem line" : "expected: extmem BYTES");
        }
        loaded.board.extmem.internal_below = (size_t)v;
        loaded.has_extmem = true;
        return true;
    }
    if (strcmp(word[0], "extmem-dma") == 0) {
        if (n != 1 || loaded.board.extmem.dma_capable) {
            return fail(w, n != 1 ? "expected: extmem-dma (no value)" : "a second extmem-dma line");
        }
        loaded.board.extmem.dma_capable = true;
        return true;
    }
    if (strcmp(word[0], "cache") == 0) {
        return read_cache(w, word, n);
    }
    return fail(w, "'%s': expected board, type, region, reserved, extmem, extmem-dma or cache", word[0]);
}

const capheap_board_t *board_file_load(const char *path) {
    memset(&loaded, 0, sizeof loaded);
    loaded.board.types = loaded.types;
    loaded.board.regions = loaded.regions;
    loaded.board.reserved = loaded.reserved;
    where_t w = {path, 0};
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "capheap: cannot read board file %s: %s\n", path, strerror(errno));
        return NULL;
    }
    /* getline, not fgets: it says how long the line is, so a NUL byte inside
     * it is refused rather than taken for its end. */
    char *line = NULL;
    size_t capacity = 0;
    ssize_t length;
    bool ok = true;
    while (ok && (length = getline(&line, &capacity, f)) >= 0) {
        w.line++;
        size_t text = (size_t)length - (length > 0 && line[length - 1] == '\n');
        while (text > 0 && line[text - 1] == '\r') {
            text--; /* CR LF line ends: the CR does not count */
        }
        if (text > MAX_LINE - 2) {
            ok = fail(&w, "a line of more than %d characters", MAX_LINE - 2);
        } else if (strlen(line) != (size_t)length) {
            ok = fail(&w, "a NUL byte in the line");
        } else {
            line[text] = '\0'; /* without its line end: at most MAX_LINE - 2 characters */
            ok = read_entry(&w, line);
        }
    }
    /* getline's -1 is also a read error or no memory for the line: not the end */
    if (ok && (ferror(f) || !feof(f))) {
        ok = fail(&w, "more lines: the file cannot be read after this one (%s)", strerror(errno));
    }
    free(line);
    fclose(f);
    if (ok && (loaded.board_name[0] == '\0' || loaded.board.type_count == 0 || loaded.board.region_count == 0)) {
        ok = fail(&w, "a board file needs a board line, a type and a region");
    }
    loaded.board.name = loaded.board_name;
    return ok ? &loaded.board : NULL;
}

/* ---- writing ----------------------------------------------------------- */

/* A name as one word: quoted when it holds blanks or could read as a comment. */
static void write_name(FILE *out, const char *name) {
    bool quote = name[0] == '#' || strpbrk(name, " \t") != NULL;
    fprintf(out, quote ? " \"%s\"" : " %s", name);
}

/* A name as the rest of a line (reserved): quoted when reading would take
 * blanks or a pair of quotes off its ends (rest_after). */
static void write_rest(FILE *out, const char *name) {
    size_t len = strlen(name);
    bool quote = len > 0 && (isspace((unsigned char)name[0]) || isspace((unsigned char)name[len - 1]) ||
                             (len >= 2 && name[0] == '"' && name[len - 1] == '"'));
    fprintf(out, quote ? " \"%s\"\n" : " %s\n", name);
}

/* Caps by name when the names say all of them, else as a number. */
static void write_caps(FILE *out, uint32_t caps) {
    char buf[256];
    uint32_t back;
    caps_describe(caps, buf, sizeof buf);
    if (caps_parse(buf, &back) && back == caps) {
        fprintf(out, " %s", buf);
    } else {
        fprintf(out, " 0x%08lx", (unsigned long)caps);
    }
}

void board_file_write(FILE *out, const capheap_board_t *b) {
    fprintf(out, "# capheap board file (docs/tool.md, \"Board files\")\nboard");
    write_name(out, b->name);
    fputc('\n', out);
    for (size_t i = 0; i < b->type_count; i++) {
        fputs("type", out);
        write_name(out, b->types[i].name);
        for (int p = 0; p < 3; p++) {
            write_caps(out, b->types[i].caps[p]);
        }
        fputc('\n', out);
    }
    for (size_t i = 0; i < b->region_count; i++) {
        const capheap_region_t *r = &b->regions[i];
        fprintf(out, "region 0x%08lx 0x%lx", (unsigned long)r->start, (unsigned long)r->size);
        write_name(out, b->types[r->type].name);
        if (r->alias.kind != CAPHEAP_ALIAS_NONE) {
            fprintf(out, " alias %s 0x%08lx", r->alias.kind == CAPHEAP_ALIAS_LINEAR ? "linear" : "inverted",
                    (unsigned long)r->alias.start);
        }
        fputs(r->flags & CAPHEAP_REGION_STARTUP_STACK ? " startup-stack\n" : "\n", out);
    }
    for (size_t i = 0; i < b->reserved_count; i++) {
        const capheap_reserved_t *r = &b->reserved[i];
        fprintf(out, "reserved 0x%08lx 0x%08lx", (unsigned long)r->start, (unsigned long)r->end);
        write_rest(out, r->name != NULL ? r->name : "reserved");
    }
    if (b->extmem.internal_below != 0) {
        fprintf(out, "extmem %zu\n", b->extmem.internal_below);
    }
    if (b->extmem.dma_capable) {
        fputs("extmem-dma\n", out);
    }
    if (b->cache.internal_line != 0 || b->cache.external_line != 0) {
        fprintf(out, "cache %u %u\n", (unsigned)b->cache.internal_line, (unsigned)b->cache.external_line);
    }
}
