/* bcryptprimitives.dll for Wine 8, which lacks it: Go >= 1.24 on Windows
 * imports bcryptprimitives!ProcessPrng and will not start without it. The
 * shim forwards to advapi32!SystemFunction036 (RtlGenRandom), which Wine
 * has; RtlGenRandom takes a ULONG length, so large requests go in chunks. */
#include <windows.h>

typedef BOOLEAN(WINAPI *RtlGenRandomFn)(PVOID, ULONG);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  static RtlGenRandomFn gen;
  if (!gen) {
    gen = (RtlGenRandomFn)GetProcAddress(LoadLibraryA("advapi32.dll"), "SystemFunction036");
    if (!gen) return FALSE;
  }
  while (len > 0) {
    ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
    if (!gen(data, n)) return FALSE;
    data += n;
    len -= n;
  }
  return TRUE;
}
