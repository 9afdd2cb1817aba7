import Foundation

/// A double-precision complex number with principal-branch elementary functions.
///
/// Real arguments inside a function's real domain use the real libm function, so real answers are
/// as accurate as plain `Double` arithmetic; everything else follows the usual principal branches.
struct Complex: Hashable, Sendable {
    var re: Double
    var im: Double

    init(_ re: Double, _ im: Double = 0) {
        self.re = re
        self.im = im
    }

    static let i = Complex(0, 1)

    var isReal: Bool { im == 0 }
    var isFinite: Bool { re.isFinite && im.isFinite }
    var magnitude: Double { Foundation.hypot(re, im) }
    var isZero: Bool { re == 0 && im == 0 }

    static func + (a: Complex, b: Complex) -> Complex { Complex(a.re + b.re, a.im + b.im) }
    static func - (a: Complex, b: Complex) -> Complex { Complex(a.re - b.re, a.im - b.im) }
    static prefix func - (a: Complex) -> Complex { Complex(-a.re, -a.im) }

    static func * (a: Complex, b: Complex) -> Complex {
        if a.im == 0 && b.im == 0 { return Complex(a.re * b.re) }
        return Complex(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
    }

    static func / (a: Complex, b: Complex) -> Complex {
        if b.im == 0 { return Complex(a.re / b.re, a.im / b.re) }
        // Smith's algorithm avoids needless overflow.
        if abs(b.re) >= abs(b.im) {
            let r = b.im / b.re, den = b.re + b.im * r
            return Complex((a.re + a.im * r) / den, (a.im - a.re * r) / den)
        } else {
            let r = b.re / b.im, den = b.re * r + b.im
            return Complex((a.re * r + a.im) / den, (a.im * r - a.re) / den)
        }
    }

    static func exp(_ z: Complex) -> Complex {
        if z.im == 0 { return Complex(Foundation.exp(z.re)) }
        let m = Foundation.exp(z.re)
        return Complex(m * Foundation.cos(z.im), m * Foundation.sin(z.im))
    }

    static func log(_ z: Complex) -> Complex {
        if z.im == 0 && z.re > 0 { return Complex(Foundation.log(z.re)) }
        return Complex(Foundation.log(z.magnitude), Foundation.atan2(z.im, z.re))
    }

    static func sqrt(_ z: Complex) -> Complex {
        if z.im == 0 {
            return z.re >= 0 ? Complex(Foundation.sqrt(z.re)) : Complex(0, Foundation.sqrt(-z.re))
        }
        let m = z.magnitude
        let re = Foundation.sqrt((m + z.re) / 2)
        let im = Foundation.sqrt((m - z.re) / 2)
        return Complex(re, z.im < 0 ? -im : im)
    }

    /// Integer power by repeated squaring (exact for small integers, stable for reals).
    static func pow(_ z: Complex, _ n: Int) -> Complex {
        if n < 0 { return Complex(1) / pow(z, -n) }
        if z.im == 0 { return Complex(Foundation.pow(z.re, Double(n))) }
        var result = Complex(1), base = z, e = n
        while e > 0 {
            if e & 1 == 1 { result = result * base }
            base = base * base
            e >>= 1
        }
        return result
    }

    /// Principal power `z^w`.
    static func pow(_ z: Complex, _ w: Complex) -> Complex {
        if w.im == 0, let n = Int(exactly: w.re), abs(n) <= 64 { return pow(z, n) }
        if z.im == 0 && w.im == 0 && z.re > 0 { return Complex(Foundation.pow(z.re, w.re)) }
        if z.isZero { return w.re > 0 ? Complex(0) : Complex(.nan, .nan) }
        return exp(w * log(z))
    }

    static func sin(_ z: Complex) -> Complex {
        if z.im == 0 { return Complex(Foundation.sin(z.re)) }
        return Complex(Foundation.sin(z.re) * Foundation.cosh(z.im), Foundation.cos(z.re) * Foundation.sinh(z.im))
    }

    static func cos(_ z: Complex) -> Complex {
        if z.im == 0 { return Complex(Foundation.cos(z.re)) }
        return Complex(Foundation.cos(z.re) * Foundation.cosh(z.im), -Foundation.sin(z.re) * Foundation.sinh(z.im))
    }

    static func tan(_ z: Complex) -> Complex {
        if z.im == 0 { return Complex(Foundation.tan(z.re)) }
        return sin(z) / cos(z)
    }

    static func sinh(_ z: Complex) -> Complex {
        if z.im == 0 { return Complex(Foundation.sinh(z.re)) }
        return (exp(z) - exp(-z)) / Complex(2)
    }

    static func cosh(_ z: Complex) -> Complex {
        if z.im == 0 { return Complex(Foundation.cosh(z.re)) }
        return (exp(z) + exp(-z)) / Complex(2)
    }

    static func tanh(_ z: Complex) -> Complex {
        if z.im == 0 { return Complex(Foundation.tanh(z.re)) }
        return sinh(z) / cosh(z)
    }

    /// asin z = -i log(iz + sqrt(1 - z^2)).
    static func asin(_ z: Complex) -> Complex {
        if z.im == 0 && abs(z.re) <= 1 { return Complex(Foundation.asin(z.re)) }
        let w = log(i * z + sqrt(Complex(1) - z * z))
        return Complex(w.im, -w.re)
    }

    static func acos(_ z: Complex) -> Complex {
        if z.im == 0 && abs(z.re) <= 1 { return Complex(Foundation.acos(z.re)) }
        return Complex(Double.pi / 2) - asin(z)
    }

    /// atan z = (i/2) (log(1 - iz) - log(1 + iz)).
    static func atan(_ z: Complex) -> Complex {
        if z.im == 0 { return Complex(Foundation.atan(z.re)) }
        let d = log(Complex(1) - i * z) - log(Complex(1) + i * z)
        return Complex(-d.im / 2, d.re / 2)
    }
}
