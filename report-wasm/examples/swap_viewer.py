"""A copy of a report page with the diff viewer of another revision, to time two viewer builds
on one page in one run (BENCHMARKS.md, "Interactive viewer"):

    python3 report-wasm/examples/swap_viewer.py PAGE.html REV REPO OUT.html

REV is a git revision, or WORKTREE for the working tree. The glue, the module, the data loader
and the bootstrap are taken from REV (site/assets/, site/src/embed.rs, site/src/wasm.rs); the
page's Content-Security-Policy is removed, since the scripts' hashes change. Then
`bench_viewer OUT.html` (GAPS_BENCH_GENERATED=1 for a page bench_viewer generated).
"""
import sys, re, gzip, base64, subprocess
src, rev, repo, out = sys.argv[1:5]
def read(path, binary=False):
    if rev == 'WORKTREE':
        return open(repo + '/' + path, 'rb').read() if binary else open(repo + '/' + path, encoding='utf-8').read()
    b = subprocess.check_output(['git', '-C', repo, 'show', rev + ':' + path])
    return b if binary else b.decode()
h = open(src, encoding='utf-8').read()
h = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', '', h)
def rawstr(t, name):
    i = t.index(name)
    i = t.index('r#"', i) + 3
    return t[i:t.index('"#;', i)]
loader = rawstr(read('site/src/embed.rs'), 'pub const LOADER_JS')
boot = rawstr(read('site/src/wasm.rs'), 'const BOOTSTRAP')
wasm = read('site/assets/gaps_report_wasm_bg.wasm', True)
boot = boot.replace('@WASM_GZ@', base64.b64encode(gzip.compress(wasm, mtime=0)).decode())
glue = read('site/assets/gaps_report_wasm.js')
def swap(h, marker, new):
    if marker not in h:
        return h
    k = h.index(marker)
    i = h.rindex('<script>', 0, k) + len('<script>')
    j = h.index('</script>', k)
    return h[:i] + new + h[j:]
h = swap(h, 'var packed = document.getElementById("gaps-data-gz");', loader)
h = swap(h, 'gunzip(b64)', boot)
h = swap(h, 'let wasm_bindgen = (function', glue)
open(out, 'w', encoding='utf-8').write(h)
