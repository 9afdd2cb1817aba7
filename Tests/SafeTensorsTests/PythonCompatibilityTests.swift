// Files written by Python's `safetensors` library (0.8.0, via torch 2.15) load correctly, and
// our writer reproduces Python's bytes exactly. The fixture was made once with:
//
//   from safetensors.torch import save
//   save({'f32': torch.tensor([[1.5, -2.25, 3.0], [0.0, 1e-8, -7.0]]),
//         'f16': torch.tensor([1.0, -0.5, 65504.0, 6e-8, float('inf'), -0.0, 0.333], dtype=torch.float16),
//         'bf16': torch.tensor([1.0, -3.140625, 1e30, -1e-30], dtype=torch.bfloat16),
//         'f64': torch.tensor([[0.1], [-2.5]], dtype=torch.float64),
//         'i64': torch.tensor([0, -5, 2147483647]), 'i32': torch.tensor([[1, 2], [-3, 4]], dtype=torch.int32),
//         'scalar': torch.tensor(42.0)}, metadata={'format': 'pt', 'note': 'tiny "fixture"'})

import Foundation
import SafeTensors
import Testing

/// The 586-byte file described above.
let pythonFixture = Array(Data(base64Encoded: """
    2AEAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJmb3JtYXQiOiJwdCIsIm5vdGUiOiJ0aW55IFwiZml4dHVyZVwiIn0sImk2NCI6eyJkdHlwZSI6Ikk2\
    NCIsInNoYXBlIjpbM10sImRhdGFfb2Zmc2V0cyI6WzAsMjRdfSwiZjY0Ijp7ImR0eXBlIjoiRjY0Iiwic2hhcGUiOlsyLDFdLCJkYXRhX29mZnNl\
    dHMiOlsyNCw0MF19LCJmMzIiOnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6WzIsM10sImRhdGFfb2Zmc2V0cyI6WzQwLDY0XX0sInNjYWxhciI6eyJk\
    dHlwZSI6IkYzMiIsInNoYXBlIjpbXSwiZGF0YV9vZmZzZXRzIjpbNjQsNjhdfSwiaTMyIjp7ImR0eXBlIjoiSTMyIiwic2hhcGUiOlsyLDJdLCJk\
    YXRhX29mZnNldHMiOls2OCw4NF19LCJiZjE2Ijp7ImR0eXBlIjoiQkYxNiIsInNoYXBlIjpbNF0sImRhdGFfb2Zmc2V0cyI6Wzg0LDkyXX0sImYx\
    NiI6eyJkdHlwZSI6IkYxNiIsInNoYXBlIjpbN10sImRhdGFfb2Zmc2V0cyI6WzkyLDEwNl19fSAgICAgAAAAAAAAAAD7/////////////38AAAAA\
    mpmZmZmZuT8AAAAAAAAEwAAAwD8AABDAAABAQAAAAAB3zCsyAADgwAAAKEIBAAAAAgAAAP3///8EAAAAgD9JwEpxoo0APAC4/3sBAAB8AIBUNQ==
    """)!)

@Suite("SafeTensors files from Python")
struct PythonCompatibilityTests {
    @Test func loadsEveryDType() throws {
        #expect(pythonFixture.count == 586)
        let file = try SafeTensorsFile(bytes: pythonFixture, name: "python.safetensors")
        #expect(file.names == ["bf16", "f16", "f32", "f64", "i32", "i64", "scalar"])
        #expect(file.metadata == ["format": "pt", "note": "tiny \"fixture\""])

        #expect(try file.info("f32").shape == [2, 3])
        #expect(try file.floats("f32") == [1.5, -2.25, 3.0, 0.0, 1e-8, -7.0])
        #expect(try file.info("f16").dtype == .F16)
        let half = try file.floats("f16")
        #expect(Array(half[0..<4]) == [1.0, -0.5, 65504.0, Float(5.960464477539063e-08)])  // incl. a subnormal
        #expect(half[4] == .infinity)
        #expect(half[5] == 0 && half[5].sign == .minus)
        #expect(half[6] == 0.3330078125)
        #expect(try file.info("bf16").dtype == .BF16)
        #expect(try file.floats("bf16") == [1.0, -3.140625, Float(1.0002555517425873e+30), Float(-9.98402083170343e-31)])
        #expect(try file.info("f64").shape == [2, 1])
        #expect(try file.floats("f64") == [Float(0.1), -2.5])
        #expect(try file.int32s("i64") == [0, -5, 2_147_483_647])
        #expect(try file.int32s("i32") == [1, 2, -3, 4])
        #expect(try file.info("scalar").shape == [])
        #expect(try file.floats("scalar") == [42])
    }

    @Test func copyFloatsConvertsHalfPrecision() throws {
        let file = try SafeTensorsFile(bytes: pythonFixture)
        var buffer = [Float](repeating: .nan, count: 4)
        try buffer.withUnsafeMutableBufferPointer { try file.copyFloats("bf16", into: $0, expectedShape: [4]) }
        #expect(buffer[1] == -3.140625)
    }

    @Test func writerReproducesPythonBytes() throws {
        let file = try SafeTensorsFile(bytes: pythonFixture)
        var writer = SafeTensorsWriter(metadata: file.metadata)
        // Added in a scrambled order: the writer must sort like Python does.
        for name in file.names.reversed() {
            let info = try file.info(name)
            try file.withRawBytes(name) { writer.add(name, dtype: info.dtype, shape: info.shape, rawBytes: $0) }
        }
        #expect(try writer.serialized() == pythonFixture)
    }

    @Test func int64BeyondInt32IsReported() throws {
        // save({'big': torch.tensor([2**40])})
        let hex = "38000000000000007b22626967223a7b226474797065223a22493634222c227368617065223a5b315d2c"
            + "22646174615f6f666673657473223a5b302c385d7d7d0000000000010000"
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        let file = try SafeTensorsFile(bytes: bytes, name: "big.safetensors")
        #expect(throws: SafeTensorsError.valueOutOfRange(file: "big.safetensors", tensor: "big", index: 0,
                                                         value: 1 << 40)) {
            try file.int32s("big")
        }
    }
}
