// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title A Chainlink AggregatorV3Interface feed whose answers one reporter publishes.
/// @notice On the embedded chain the example's market is the reporter; the runtime reads it back
/// through the same interface it reads Chainlink with (`latestRoundData`).
contract PriceFeed {
    uint8 public immutable decimals;
    string public description;
    uint256 public constant version = 4;
    address public immutable reporter;
    uint80 private _round;
    mapping(uint80 => int256) private _answers;
    mapping(uint80 => uint256) private _updated;

    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    constructor(uint8 decimals_, string memory description_, int256 initialAnswer) {
        decimals = decimals_;
        description = description_;
        reporter = msg.sender;
        _publish(initialAnswer);
    }

    /// @notice Publishes a new round (reporter only).
    function updateAnswer(int256 answer) external {
        require(msg.sender == reporter, "PriceFeed: only the reporter publishes");
        _publish(answer);
    }

    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        return (_round, _answers[_round], _updated[_round], _updated[_round], _round);
    }

    function getRoundData(uint80 roundId)
        external
        view
        returns (uint80, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        require(_updated[roundId] != 0, "PriceFeed: no data for this round");
        return (roundId, _answers[roundId], _updated[roundId], _updated[roundId], roundId);
    }

    function _publish(int256 answer) private {
        require(answer > 0, "PriceFeed: answers are positive");
        _round += 1;
        _answers[_round] = answer;
        _updated[_round] = block.timestamp;
        emit AnswerUpdated(answer, _round, block.timestamp);
    }
}
