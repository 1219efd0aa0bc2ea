/** DescriptionCase pairs a hand-written JSON description with the C a person would write for it. */
export interface DescriptionCase {
  readonly name: string;
  readonly json: Record<string, unknown>;
  readonly c: string;
}

export const KERNEL_TYPEDEFS = `
typedef unsigned char __u8; typedef signed char __s8; typedef unsigned short __u16; typedef short __s16;
typedef unsigned int __u32; typedef int __s32; typedef unsigned long long __u64; typedef long long __s64;
typedef __u8 u8; typedef __s8 s8; typedef __u16 u16; typedef __s16 s16;
typedef __u32 u32; typedef __s32 s32; typedef __u64 u64; typedef __s64 s64;
`;

const m = (name: string, type: unknown, extra: Record<string, unknown> = {}) => ({ name, type, ...extra });

export const CASES: DescriptionCase[] = [
  {
    name: "task_ctx (the seed's example)",
    json: {
      structs: [
        {
          name: "task_ctx",
          members: [
            m("force_local", "bool"),
            m("weight", "u32", { bits: 5 }),
            m("comm", "char[16]"),
            m("next", "struct task_ctx *"),
            m("grid", "u8[2][3]"),
            m("", { kind: "union", members: [m("a", "int"), m("b", "u64")] }),
            m("st", "enum state"),
            m("tail", "u32[]"),
          ],
        },
      ],
      enums: [{ name: "state", values: { RUNNING: 0, DEAD: -1 } }],
      storage: [{ name: "task_ctx_stor", owner: "task", value: "task_ctx" }],
    },
    c: `enum state { RUNNING = 0, DEAD = -1 };
struct task_ctx { _Bool force_local; u32 weight: 5; char comm[16]; struct task_ctx *next; u8 grid[2][3];
  union { int a; u64 b; }; enum state st; u32 tail[]; };
struct task_ctx g_task_ctx;`,
  },
  {
    name: "bitfields: boundaries, wide, signed, zero-width, unnamed",
    json: {
      structs: [
        {
          name: "bf",
          members: [
            m("a", "u8", { bits: 3 }),
            m("b", "u32", { bits: 30 }),
            m("c", "u64", { bits: 40 }),
            m("d", "u64", { bits: 30 }),
            m("e", "unsigned short", { bits: 9 }),
            m("f", "unsigned short", { bits: 9 }),
            m("g", "char"),
            m("", "int", { bits: 0 }),
            m("h", "int", { bits: 3 }),
            m("", "int", { bits: 7 }),
            m("i", "s64", { bits: 1 }),
            m("j", "signed char", { bits: 7 }),
            m("k", "enum small", { bits: 2 }),
            m("l", "_Bool", { bits: 1 }),
          ],
        },
      ],
      enums: [{ name: "small", values: { S0: 0, S3: 3 } }],
    },
    c: `enum small { S0, S3 = 3 };
struct bf { u8 a: 3; u32 b: 30; u64 c: 40; u64 d: 30; unsigned short e: 9; unsigned short f: 9; char g; int : 0;
  int h: 3; int : 7; s64 i: 1; signed char j: 7; enum small k: 2; _Bool l: 1; };
struct bf g_bf;`,
  },
  {
    name: "packed, aligned, packed+aligned, member alignment",
    json: {
      structs: [
        { name: "pk", packed: true, members: [m("a", "char"), m("b", "int"), m("c", "u64", { bits: 33 }), m("d", "short"), m("e", "u16", { bits: 3 })] },
        { name: "al", align: 16, members: [m("a", "int")] },
        { name: "pa", packed: true, align: 4, members: [m("a", "char"), m("b", "int"), m("c", "char")] },
        { name: "ma", members: [m("a", "char"), m("b", "int", { align: 8 }), m("c", "struct al"), m("d", "char")] },
        { name: "outer", members: [m("x", "char"), m("p", "struct pk"), m("y", "struct pa[2]")] },
      ],
    },
    c: `struct pk { char a; int b; u64 c: 33; short d; u16 e: 3; } __attribute__((packed));
struct al { int a; } __attribute__((aligned(16)));
struct pa { char a; int b; char c; } __attribute__((packed, aligned(4)));
struct ma { char a; int b __attribute__((aligned(8))); struct al c; char d; };
struct outer { char x; struct pk p; struct pa y[2]; };
struct outer g_outer; struct ma g_ma;`,
  },
  {
    name: "unions, nesting, typedefs, qualifiers, pointers",
    json: {
      structs: [
        { name: "ub", kind: "union", members: [m("a", "int", { bits: 3 }), m("b", "u64"), m("c", "char[3]")] },
        {
          name: "nest",
          members: [
            m("pid", "pid_t"),
            m("u", "union ub"),
            m("name", "const char *"),
            m("vp", "volatile u32 *"),
            m("any", "void *"),
            m("opaque", "struct not_declared *"),
            m("", { members: [m("x", "short"), m("", { kind: "union", members: [m("y", "long"), m("z", "double")] })] }),
            m("ll", "unsigned long long"),
            m("f", "float[3]"),
            m("t", "handle_t"),
          ],
        },
      ],
      typedefs: [
        { name: "pid_t", type: "int" },
        { name: "handle_t", type: "union ub" },
      ],
    },
    c: `typedef int pid_t; union ub { int a: 3; u64 b; char c[3]; }; typedef union ub handle_t;
struct not_declared;
struct nest { pid_t pid; union ub u; const char *name; volatile u32 *vp; void *any; struct not_declared *opaque;
  struct { short x; union { long y; double z; }; }; unsigned long long ll; float f[3]; handle_t t; };
struct nest g_nest;`,
  },
  {
    name: "enums: unsigned 32-bit, enum64, packed-size enum",
    json: {
      structs: [{ name: "es", members: [m("a", "enum big"), m("b", "enum u32e"), m("c", "enum tiny"), m("d", "enum neg64")] }],
      enums: [
        { name: "big", values: { LOW: 1, HIGH: "0x1ffffffff" } },
        { name: "u32e", values: { TOP: 4294967295 } },
        { name: "tiny", size: 1, values: { T1: 1, T2: 2 } },
        { name: "neg64", values: { N: "-0x1ffffffff", P: 1 } },
      ],
    },
    c: `enum big { LOW = 1, HIGH = 0x1ffffffffULL }; enum u32e { TOP = 4294967295u };
enum tiny { T1 = 1, T2 = 2 } __attribute__((packed)); enum neg64 { N = -0x1ffffffffLL, P = 1 };
struct es { enum big a; enum u32e b; enum tiny c; enum neg64 d; };
struct es g_es;`,
  },
  {
    name: "zero-width and unnamed bitfields, aligned bitfield, empty struct",
    json: {
      structs: [
        { name: "z", packed: true, members: [m("a", "char"), m("", "int", { bits: 0 }), m("b", "char")] },
        { name: "u", members: [m("a", "char"), m("", "int", { bits: 4 })] },
        { name: "u2", members: [m("a", "char"), m("", "long long", { bits: 0 }), m("b", "char")] },
        { name: "v", members: [m("a", "char"), m("b", "int", { bits: 4, align: 8 })] },
        { name: "uz", kind: "union", members: [m("a", "char"), m("", "int", { bits: 0 })] },
        { name: "empty", members: [] },
      ],
    },
    c: `struct z { char a; int :0; char b; } __attribute__((packed));
struct u { char a; int :4; };
struct u2 { char a; long long :0; char b; };
struct v { char a; int b:4 __attribute__((aligned(8))); };
union uz { char a; int :0; };
struct empty {};
struct z gz; struct u gu; struct u2 gu2; struct v gv; union uz guz; struct empty ge;`,
  },
];
