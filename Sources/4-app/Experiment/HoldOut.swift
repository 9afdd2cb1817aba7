// The validation split of every training stage: every k-th example, so the held-out set spreads
// over the whole file (problem files are in level order; a prefix would hold out level 1 only).

/// Splits `items` into training and validation sets, the validation set being items k-1, 2k-1, ...
/// (none when there are fewer than `minimum` items).
func holdOut<T>(_ items: [T], every k: Int, minimum: Int = 1) -> (training: [T], validation: [T]) {
    guard items.count >= max(minimum, k) else { return (items, []) }
    var training: [T] = [], validation: [T] = []
    for (i, item) in items.enumerated() {
        if i % k == k - 1 { validation.append(item) } else { training.append(item) }
    }
    return (training, validation)
}
