/** ALL_KINDS is BPF C whose BTF holds every kind, both enum signednesses, kind_flag bitfields and tags. */
export const ALL_KINDS = String.raw`
#define __tag(x) __attribute__((btf_decl_tag(x)))
#define __ttag(x) __attribute__((btf_type_tag(x)))
typedef unsigned long long u64;
enum e32 { A = -1, B = 5 };
enum eu { U1 = 0xffffffffu, U2 = 7 };
enum e64 { BIG = 0x1ffffffffULL, SMALL = 1 };
enum e64s { NEG = -0x1ffffffffLL, POS = 3 };
struct bits { int a: 3; unsigned b: 29; u64 c: 40; char d; signed char e: 2; } __tag("s");
union un { int i; float f; double d; };
struct fwd_only;
union fwd_u;
struct s {
  struct bits b __tag("m");
  union un u;
  struct fwd_only *fp;
  union fwd_u *fu;
  const volatile int cv;
  int * restrict rp;
  int __ttag("user") *tp;
  char arr[2][3];
  enum e32 e;
  enum eu eu;
  enum e64 e6;
  enum e64s e6s;
  _Bool ok;
  __int128 big;
  long double ld;
  struct s *self;
  struct { int x; union { short y; char z; }; };
  int flex[];
};
int global_var __tag("g") = 3;
static volatile int counter;
extern int LINUX_KERNEL_VERSION __attribute__((section(".kconfig")));
extern int bpf_kfunc_thing(int) __attribute__((section(".ksyms")));
static __attribute__((noinline)) int helper(struct s *p, int x __tag("p")) __tag("f");
static __attribute__((noinline)) int helper(struct s *p, int x) { return p->b.a + x + counter; }
__attribute__((section("tc"), used)) int prog(struct s *p) {
  counter++;
  return helper(p, 1) + global_var + LINUX_KERNEL_VERSION + bpf_kfunc_thing(2);
}
`;
